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
 * Bounded retries. An append retries when its script found the head elsewhere: another replica
 * wrote, or an earlier append of this process (which it was chained on) wrote nothing.
 */
const MAX_ATTEMPTS = 50;

/** One chain writer per connection and stream, so that its appends can be chained on each other. */
const writers = new WeakMap<Redis, Map<string, AuditChain>>();

/** What an audit-writing script needs: the head it must find, and the head it leaves. */
export interface ChainArgs {
  expect: string;
  hash: string;
}

/**
 * Appends are pipelined: each is hashed against the head this process will have left once every
 * append it sent before has landed, and sent at once. Redis runs one connection's commands in
 * order, so they land in that order, and none waits for another's round trip. (Waiting was the
 * bot's worst tail: under load one slow reply held up every audit write queued behind it, a
 * submission's among them.) When an append writes nothing (the head had moved, or its script
 * refused), every append sent after it, chained on its hash, finds the head elsewhere too: the
 * first to learn it forgets the head, one GET (queued behind everything sent) reads it again, and
 * those appends are hashed again and resent.
 */
export class AuditChain {
  /** The head once everything sent has landed (null: absent; undefined: unknown, read it). */
  private head: string | null | undefined;
  /** The read of the head under way, which appends wait for. */
  private reading?: Promise<void>;
  /** Bumped each time the head above is forgotten; appends sent before then retry without forgetting it again. */
  private epoch = 0;

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
   * Hashes the entry against the head and runs the script, which must send its one command before
   * it first awaits. A script that finds the head moved writes nothing and answers
   * ['CONFLICT', head]: hash again and retry. `entry` is asked again at every attempt, so a caller
   * that stamps it with the time of the attempt (a transition does) gets entries whose `at`
   * follows the chain's order, across replicas too: a retry is stamped after the write it lost to
   * landed.
   */
  async append<R extends unknown[]>(entry: () => AuditFields, run: (chained: AuditFields, chain: ChainArgs) => Promise<R>): Promise<{ result: R; fields: AuditFields }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      while (this.head === undefined) await this.readHead();
      // From here to the script's command, nothing awaits: the head moves on in the order sent.
      const content: AuditFields = { ...entry() };
      delete content.prevHash;
      delete content.hash;
      const prevHash = this.head ?? GENESIS;
      const chained: AuditFields = { ...content, prevHash, hash: hashEntry(content, prevHash, this.key) };
      const chain = { expect: this.head ?? '', hash: chained.hash! };
      const epoch = this.epoch;
      this.head = chained.hash;
      let result: R;
      try {
        result = await run(chained, chain);
      } catch (err) {
        this.forget(epoch);
        throw err;
      }
      if (result[0] === 'OK') return { result, fields: chained };
      this.forget(epoch);
      if (result[0] !== 'CONFLICT') return { result, fields: chained };
    }
    throw new AppError('STORE_UNAVAILABLE', 'The audit trail is too busy to record this right now. Nothing was changed; please try again.');
  }

  private forget(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.epoch++;
    this.head = undefined;
  }

  private readHead(): Promise<void> {
    this.reading ??= guard(() => this.redis.get(chainKeys.head(this.stream)))
      .then((head) => {
        this.head = head;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
