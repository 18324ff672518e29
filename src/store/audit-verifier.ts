import type Redis from 'ioredis';
import { AUDIT_FIELD_ORDER } from '../domain/audit';
import { compareStreamIds } from '../domain/audit-query';
import { GENESIS, chainKeys, chainSnapshot, hashEntry, parseCheckpoint, sameHex, signCheckpoint, type AuditCheckpoint } from './audit-chain';
import { guard } from './redis';

/**
 * Walks the audit stream oldest first, a page at a time, and judges it against the hash chain and
 * the checkpoints (README "Audit trail integrity" has the classification). Memory stays constant:
 * only the last WINDOW chained entries are remembered, so an entry moved further than that is
 * reported as removed where it was and inserted where it is.
 */
export type VerdictKind = 'changed' | 'removed' | 'inserted' | 'reordered' | 'checkpoint';
export interface Verdict {
  kind: VerdictKind;
  /** The stream id the verdict is about ('' when it names none). */
  id: string;
  message: string;
}

export interface VerifyReport {
  keyed: boolean;
  entries: number;
  unchained: number;
  unchainedRange?: [string, string];
  chained: number;
  /** Chained entries whose hash matches and that follow their predecessor. */
  valid: number;
  /** Keyed verification only: entries hashed without the key, before the first keyed one. */
  unkeyed: number;
  checkpoints: number;
  checkpointsValid: number;
  unsignedCheckpoints: number;
  problems: number;
  /** The first problem of each kind, by stream id. */
  first: Partial<Record<VerdictKind, string>>;
  head?: { id: string; hash: string };
}

/** The trail cannot be judged with what was given (a keyed trail without the key). */
export class VerifyUsageError extends Error {}

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

type Flag = (kind: VerdictKind, id: string, message: string) => void;

class ChainWalker {
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

/** Checks each checkpoint's signature; returns those whose claims are trusted, oldest last id first. */
function readCheckpoints(raw: string[], report: VerifyReport, flag: Flag, key?: string): AuditCheckpoint[] {
  const trusted: AuditCheckpoint[] = [];
  let signedSeen = false;
  raw.forEach((text, n) => {
    const c = parseCheckpoint(text);
    report.checkpoints++;
    if (!c) return flag('checkpoint', '', `checkpoint #${n + 1} is unreadable`);
    if (c.signature && !key) throw new VerifyUsageError('the checkpoints are HMAC-signed: set AUDIT_HMAC_KEY to verify this trail');
    if (key && c.signature) {
      if (!sameHex(signCheckpoint(c, key), c.signature)) return flag('checkpoint', c.lastId, `checkpoint of ${c.at}: the signature does not match (forged or altered)`);
      signedSeen = true;
    } else if (key) {
      if (signedSeen) return flag('checkpoint', c.lastId, `checkpoint of ${c.at} is unsigned after signed ones (forged)`);
      report.unsignedCheckpoints++;
    }
    trusted.push(c);
  });
  return trusted.sort((a, b) => compareStreamIds(a.lastId, b.lastId));
}

export async function verifyTrail(redis: Redis, stream: string, options: { hmacKey?: string; onVerdict?: (v: Verdict) => void; pageSize?: number } = {}): Promise<VerifyReport> {
  const key = options.hmacKey;
  const report: VerifyReport = { keyed: Boolean(key), entries: 0, unchained: 0, chained: 0, valid: 0, unkeyed: 0, checkpoints: 0, checkpointsValid: 0, unsignedCheckpoints: 0, problems: 0, first: {} };
  const flag: Flag = (kind, id, message) => {
    report.problems++;
    const first = report.first[kind];
    if (id && (!first || compareStreamIds(id, first) < 0)) report.first[kind] = id;
    options.onVerdict?.({ kind, id, message });
  };
  // Checkpoints first: one recorded after the snapshot could name entries the walk will not reach.
  const checkpoints = readCheckpoints(await guard(() => redis.lrange(chainKeys.checkpoints(stream), 0, -1)), report, flag, key);
  // Entries appended while we walk are left for the next run: the walk ends at the snapshot.
  const snap = await chainSnapshot(redis, stream);
  const walker = new ChainWalker(report, flag, snap.head, key);
  const missing = (c: AuditCheckpoint, why: string) => flag('removed', c.lastId, `checkpoint of ${c.at} names entry ${c.lastId}, ${why}`);
  let cp = 0;
  for (let start = '-'; snap.lastId; ) {
    const rows = await guard(() => redis.xrange(stream, start, snap.lastId!, 'COUNT', options.pageSize ?? 1000));
    if (rows.length === 0) break;
    for (const [id, flat] of rows) {
      for (; cp < checkpoints.length && compareStreamIds(checkpoints[cp]!.lastId, id) < 0; cp++) missing(checkpoints[cp]!, 'which is not in the trail');
      const position = ++report.entries;
      const hash = walker.add(id, flat);
      for (; cp < checkpoints.length && checkpoints[cp]!.lastId === id; cp++) {
        const c = checkpoints[cp]!;
        if (position !== c.length) {
          const kind = position < c.length ? 'removed' : 'inserted';
          flag(kind, id, `checkpoint of ${c.at} counted ${c.length} entries up to ${id}; the trail now has ${position}: entries were ${kind}`);
        } else if (hash !== c.headHash) {
          flag('changed', id, `entry ${id} has hash ${hash || '(none)'}, the checkpoint of ${c.at} recorded ${c.headHash || '(none)'}: the trail up to it was rewritten`);
        } else report.checkpointsValid++;
      }
    }
    start = `(${rows[rows.length - 1]![0]}`;
  }
  for (; cp < checkpoints.length; cp++) missing(checkpoints[cp]!, 'but the trail ends before it: its newest entries were removed');
  walker.finish();
  const last = walker.lastSlot;
  if (last && snap.head === last.hash) report.head = { id: last.id, hash: last.hash };
  else if (last && snap.head === undefined) flag('removed', last.id, `the chain head (${chainKeys.head(stream)}) is missing: whether newer entries were removed cannot be told`);
  else if (!last && snap.head !== undefined) flag('removed', snap.lastId ?? '', 'the chain head is set but no entry is chained: chained entries were removed or stripped');
  else if (last && walker.headAt) flag('inserted', walker.afterHead ?? last.id, `the chain head is entry ${walker.headAt}: the entries after it were added outside the bot`);
  else if (last) flag('removed', last.id, `the chain head names an entry that is not in the trail: the newest entries (after ${last.id}) were removed or rewritten`);
  return report;
}
