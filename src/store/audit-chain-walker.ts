import { AUDIT_FIELD_ORDER } from '../domain/audit';
import { GENESIS, hashEntry, sameHex } from './audit-chain';
import type { VerdictKind, VerifyReport } from './audit-verifier';

/**
 * The chain half of `npm run audit:verify` (audit-verifier.ts walks the stream and the
 * checkpoints): judges each chained entry against its hash and its predecessor, remembering only
 * the last WINDOW entries, so memory stays constant however long the trail. An entry moved further
 * than that is reported as removed where it was and inserted where it is.
 */
const KNOWN = new Set<string>(AUDIT_FIELD_ORDER);
const WINDOW = 10_000;

/** A chained entry: `name` is its prevHash; `waiting` while no entry seen has that hash (removed, or reordered if it turns up). */
interface Slot {
  index: number;
  id: string;
  hash: string;
  name: string;
  prevId?: string;
  children: number;
  changed: boolean;
  prevChanged: boolean;
  inserted: boolean;
  waiting: boolean;
}

export type Flag = (kind: VerdictKind, id: string, message: string) => void;

export class ChainWalker {
  /** The last WINDOW chained entries, by index; finalized ones stay WINDOW more in `done`. */
  private readonly slots = new Map<number, Slot>();
  private readonly done = new Map<number, Slot>();
  /** Hash to index, for every slot in `slots` or `done`. */
  private readonly byHash = new Map<string, number>();
  private readonly pending = new Map<string, number[]>();
  private last?: Slot;
  private keyedSeen = false;
  headAt?: string;
  afterHead?: string;

  constructor(
    private readonly report: VerifyReport,
    private readonly flag: Flag,
    private readonly head: string | undefined,
    private readonly key?: string,
  ) {}

  get lastSlot(): Slot | undefined {
    return this.last;
  }
  /** Judges one entry; returns its stored hash ('' when unchained). */
  add(id: string, flat: string[]): string {
    const fields: Record<string, string> = {};
    const odd: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const k = flat[i]!;
      if (k in fields) odd.push(`repeats field ${k}`);
      else if (!KNOWN.has(k)) odd.push(`has field ${k}, which is not in the audit schema`);
      fields[k] = flat[i + 1]!;
    }
    const { hash, prevHash } = fields;
    if (hash === undefined && prevHash === undefined) {
      if (this.report.chained > 0) this.flag('inserted', id, 'has no hash: written outside the chain after the chain began');
      else {
        this.report.unchained++;
        this.report.unchainedRange = [this.report.unchainedRange?.[0] ?? id, id];
      }
      return '';
    }
    const index = this.report.chained++;
    const changed = !this.hashOk(id, fields, odd);
    const prev = this.last;
    const name = prevHash ?? '';
    const slot: Slot = { index, id, hash: hash ?? '', name, prevId: prev?.id, children: 0, changed, prevChanged: prev?.changed ?? false, inserted: false, waiting: false };
    if (!changed && name === (prev ? prev.hash : GENESIS)) this.report.valid++;
    const twin = this.byHash.get(slot.hash);
    if (twin !== undefined) {
      slot.inserted = true;
      this.flag('inserted', id, `repeats entry ${this.slotAt(twin)?.id ?? '(earlier)'} (same hash)`);
    } else {
      if (name === GENESIS) {
        if (index > 0) {
          slot.inserted = true;
          this.flag('inserted', id, 'starts a new chain (genesis prevHash) after the chain began: the chain head was reset');
        }
      } else if (this.byHash.has(name)) this.slotAt(this.byHash.get(name)!)!.children++;
      else {
        slot.waiting = true;
        this.pending.set(name, [...(this.pending.get(name) ?? []), index]);
      }
      for (const k of this.pending.get(slot.hash) ?? []) {
        const referrer = this.slots.get(k)!;
        referrer.waiting = false;
        slot.children++;
        this.flag('reordered', referrer.id, `comes before its predecessor ${id} in the stream`);
      }
      this.pending.delete(slot.hash);
      this.byHash.set(slot.hash, index);
    }
    if (this.head !== undefined && slot.hash === this.head) this.headAt = id;
    else if (this.headAt && !this.afterHead) this.afterHead = id;
    this.slots.set(index, slot);
    this.last = slot;
    if (index >= WINDOW) this.finalize(index - WINDOW, false);
    return slot.hash;
  }

  finish(): void {
    const n = this.report.chained;
    for (let j = Math.max(0, n - WINDOW); j < n; j++) this.finalize(j, j === n - 1);
  }

  private slotAt(index: number): Slot | undefined {
    return this.slots.get(index) ?? this.done.get(index);
  }

  /** Whether the entry matches its hash; flags it `changed` when not. */
  private hashOk(id: string, fields: Record<string, string>, odd: string[]): boolean {
    const { hash, prevHash } = fields;
    let problem: string;
    if (odd.length > 0) problem = `${odd.join('; ')}: not covered by its hash`;
    else if (hash === undefined || prevHash === undefined) problem = 'carries only one of prevHash and hash';
    else if (sameHex(hashEntry(fields, prevHash, this.key), hash)) {
      if (this.key) this.keyedSeen = true;
      return true;
    } else if (this.key && sameHex(hashEntry(fields, prevHash), hash)) {
      // Entries written before AUDIT_HMAC_KEY was set are plain SHA-256; after a keyed one, a forgery.
      if (!this.keyedSeen) {
        this.report.unkeyed++;
        return true;
      }
      problem = 'is hashed without AUDIT_HMAC_KEY after keyed entries: changed (or forged) and re-hashed without the key';
    } else problem = `does not match its hash: changed after it was written${this.key ? '' : ' (if the trail was written with AUDIT_HMAC_KEY, set it to verify)'}`;
    this.flag('changed', id, problem);
    return false;
  }

  private finalize(j: number, isLast: boolean): void {
    const s = this.slots.get(j)!;
    this.slots.delete(j);
    this.done.set(j, s);
    const old = this.done.get(j - WINDOW);
    if (old && this.byHash.get(old.hash) === old.index) this.byHash.delete(old.hash);
    this.done.delete(j - WINDOW);
    const next = this.slots.get(j + 1);
    // A dead end that is not the newest entry, and not the entry before a gap, was never part of the chain.
    if (s.children === 0 && !s.inserted && !isLast && !next?.waiting) {
      this.flag('inserted', s.id, 'no entry names it as its predecessor: it is not part of the chain');
      s.inserted = true;
      this.deadBranch(s);
    }
    if (s.waiting) {
      const rest = (this.pending.get(s.name) ?? []).filter((k) => k !== j);
      if (rest.length > 0) this.pending.set(s.name, rest);
      else this.pending.delete(s.name);
      if (!s.inserted && !s.prevChanged) {
        const where = s.prevId ? `between ${s.prevId} and it` : 'before it (the start of the chain)';
        const or = s.prevId && !this.key ? ` (or ${s.prevId} was changed and re-hashed)` : '';
        this.flag('removed', s.id, `names a predecessor that is not in the trail: one or more entries ${where} were removed${or}`);
      }
    }
  }

  /** The forged entries a dead end hangs from, back to where they forked off the chain. */
  private deadBranch(end: Slot): void {
    for (let cur = end; ; ) {
      const at = this.byHash.get(cur.name);
      const parent = at === undefined || at >= cur.index ? undefined : this.slotAt(at);
      if (!parent || parent.children !== 1 || parent.inserted) return;
      parent.inserted = true;
      this.flag('inserted', parent.id, 'is only followed by entries that are not part of the chain');
      cur = parent;
    }
  }
}
