import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type Redis from 'ioredis';
import { AUDIT_FIELD_ORDER, type AuditFields } from '../domain/audit';
import { AppError } from '../errors';
import { guard } from './redis';

/**
 * The audit trail's hash chain (README "Audit trail integrity"). Each entry carries `prevHash`
 * (the previous entry's `hash`) and `hash` = HMAC-SHA256(AUDIT_HMAC_KEY, canonical) when keyed,
 * SHA-256(canonical) otherwise, where canonical is the JSON of the entry's fields in the schema's
 * order, then `prevHash`. Redis's Lua has neither SHA-256 nor HMAC, and the key must never reach
 * Redis, so the hash is computed here and the scripts compare-and-set the chain head (lua.ts).
 */
export const GENESIS = '0'.repeat(64);

/** The fields the hash covers, in order: every schema field but the chain's own two. */
export const HASHED_FIELDS = AUDIT_FIELD_ORDER.filter((k) => k !== 'prevHash' && k !== 'hash');

export const chainKeys = {
  /** The `hash` of the newest entry: the scripts' compare-and-set target. */
  head: (stream: string) => `${stream}:head`,
  /** JSON checkpoints, oldest first (services/audit-checkpoints.ts). */
  checkpoints: (stream: string) => `${stream}:checkpoints`,
  /** Held by the replica taking the checkpoint of one period. */
  checkpointClaim: (stream: string, period: number) => `${stream}:checkpoint-claim:${period}`,
};

export function canonicalEntry(fields: Partial<Record<string, string>>, prevHash: string): string {
  const ordered: Record<string, string> = {};
  for (const k of HASHED_FIELDS) {
    const v = fields[k];
    if (v !== undefined) ordered[k] = v;
  }
  ordered.prevHash = prevHash;
  return JSON.stringify(ordered);
}

const digest = (text: string, key?: string) => (key ? createHmac('sha256', key) : createHash('sha256')).update(text, 'utf8').digest('hex');

export function hashEntry(fields: Partial<Record<string, string>>, prevHash: string, key?: string): string {
  return digest(canonicalEntry(fields, prevHash), key);
}

export const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The chain's state at one moment, posted to the audit channel and kept in Redis. */
export interface AuditCheckpoint {
  /** ISO 8601, UTC. */
  at: string;
  /** XLEN of the stream: every entry, chained or not. */
  length: number;
  lastId: string;
  /** The `hash` of the entry `lastId` ('' when it predates the chain). */
  headHash: string;
  /** HMAC-SHA256(AUDIT_HMAC_KEY, canonicalCheckpoint) in hex, when keyed. */
  signature?: string;
}

export function canonicalCheckpoint(c: AuditCheckpoint): string {
  return JSON.stringify({ at: c.at, length: c.length, lastId: c.lastId, headHash: c.headHash });
}

export const signCheckpoint = (c: AuditCheckpoint, key: string) => digest(canonicalCheckpoint(c), key);

export function parseCheckpoint(raw: string): AuditCheckpoint | undefined {
  try {
    const c = JSON.parse(raw) as Partial<AuditCheckpoint>;
    const ok = typeof c.at === 'string' && typeof c.length === 'number' && typeof c.lastId === 'string' && /^\d+-\d+$/.test(c.lastId) && typeof c.headHash === 'string';
    return ok && (c.signature === undefined || typeof c.signature === 'string') ? (c as AuditCheckpoint) : undefined;
  } catch {
    return undefined;
  }
}

/** The stream's length, newest entry (its id and `hash`) and chain head, read in one atomic step. */
export async function chainSnapshot(redis: Redis, stream: string): Promise<{ length: number; lastId?: string; lastHash?: string; head?: string }> {
  const res = await guard(() => redis.multi().xlen(stream).xrevrange(stream, '+', '-', 'COUNT', 1).get(chainKeys.head(stream)).exec());
  const [length, last, head] = (res ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  }) as [number, [string, string[]][], string | null];
  const flat = last[0]?.[1] ?? [];
  const at = flat.findIndex((v, i) => i % 2 === 0 && v === 'hash');
  return { length, lastId: last[0]?.[0], lastHash: at >= 0 ? flat[at + 1] : undefined, head: head ?? undefined };
}

/**
 * Bounded retries. Measured with every replica appending flat out on one stream: at most 3
 * conflicts per append with 2 replicas, 16 with 4; the bot's real rate is far below either.
 */
const MAX_ATTEMPTS = 50;

/** One chain writer per connection and stream: its appends go one at a time, so its own never race. */
const writers = new WeakMap<Redis, Map<string, AuditChain>>();

/** What an audit-writing script needs: the head it must find, and the head it leaves. */
export interface ChainArgs {
  expect: string;
  hash: string;
}

export class AuditChain {
  /** The head key as last seen (null: absent; undefined: not read yet). */
  private head: string | null | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Appends queued or under way here. */
  private waiting = 0;
  /** Appends in a row that found others queued behind them. */
  private streak = 0;

  private constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly key?: string,
  ) {}

  static for(redis: Redis, stream: string, key?: string): AuditChain {
    let byStream = writers.get(redis);
    if (!byStream) writers.set(redis, (byStream = new Map<string, AuditChain>()));
    const id = `${stream}\n${key ?? ''}`;
    let chain = byStream.get(id);
    if (!chain) byStream.set(id, (chain = new AuditChain(redis, stream, key)));
    return chain;
  }

  /**
   * Hashes `fields` against the head and runs the script; a script that finds the head moved (by
   * another replica) writes nothing and answers ['CONFLICT', head]: hash again and retry.
   */
  append<R extends unknown[]>(fields: AuditFields, run: (chained: AuditFields, chain: ChainArgs) => Promise<R>): Promise<{ result: R; fields: AuditFields }> {
    this.waiting++;
    const turn = this.queue.then(async () => {
      // In a burst, other writers must get a turn: a replica that just lost the race retries at
      // once, and wins only if this process waits a moment longer than that retry's round trip.
      // That 1-2 ms pause comes every 4th queued append (between, the event loop turns once,
      // enough for another connection of this process). A pause before every one held this
      // process to a few hundred audit writes a second, fewer while the event loop is busy.
      if (this.waiting > 1) {
        this.streak++;
        await new Promise((r) => (this.streak % 4 === 0 ? setTimeout(r, 1 + Math.random()) : setImmediate(r)));
      } else this.streak = 0;
      return this.attempt(fields, run);
    });
    this.queue = turn.catch(() => undefined).finally(() => this.waiting--);
    return turn;
  }

  private async attempt<R extends unknown[]>(fields: AuditFields, run: (chained: AuditFields, chain: ChainArgs) => Promise<R>) {
    const content: AuditFields = { ...fields };
    delete content.prevHash;
    delete content.hash;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (this.head === undefined) this.head = await guard(() => this.redis.get(chainKeys.head(this.stream)));
        const prevHash = this.head ?? GENESIS;
        const chained: AuditFields = { ...content, prevHash, hash: hashEntry(content, prevHash, this.key) };
        const result = await run(chained, { expect: this.head ?? '', hash: chained.hash! });
        if (result[0] !== 'CONFLICT') {
          if (result[0] === 'OK') this.head = chained.hash;
          return { result, fields: chained };
        }
        this.head = typeof result[1] === 'string' && result[1] !== '' ? result[1] : null;
      }
    } catch (err) {
      this.head = undefined;
      throw err;
    }
    throw new AppError('STORE_UNAVAILABLE', 'The audit trail is too busy to record this right now. Nothing was changed; please try again.');
  }
}
