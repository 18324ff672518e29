import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { guard, script } from './redis';

/**
 * KEYS: 1 window (ZSET of calls, score = time), 2 queue (ZSET of waiting changes, score = approval
 *       time), 3 leases (ZSET: ticket -> until when its replica is known to be alive)
 * ARGV[1]: { now, windowMs, limit, member, ticket (or ''), leaseMs }
 * A call may go when fewer than `limit` calls were made in the last `windowMs` — a sliding
 * window, so no 60-second span ever holds more (a token bucket lets a full burst through twice
 * in one minute). A change waiting its turn may go only when the free slots hold every change
 * still waiting ahead of it, and itself. Its first call to get a slot takes it out of line: from
 * then on it counts in the window, not ahead of those behind it (counted twice, it kept the
 * window half empty and let a later change overtake the ones asleep before it), and its later
 * calls go whenever the window has room: it was approved before any change still waiting.
 * Returns {0, 0} when the call may go, else {ms to wait, changes ahead}.
 */
const ACQUIRE = `
local a = cjson.decode(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', a.now - a.windowMs)
-- A change whose replica died (or could not leave) holds no place in line once its lease lapses.
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', a.now)) do
  redis.call('ZREM', KEYS[2], gone)
  redis.call('ZREM', KEYS[3], gone)
end
if a.ticket ~= '' then redis.call('ZADD', KEYS[3], 'XX', a.now + a.leaseMs, a.ticket) end
local used = redis.call('ZCARD', KEYS[1])
local ahead = 0
if a.ticket ~= '' then
  ahead = redis.call('ZRANK', KEYS[2], a.ticket) or 0
end
if used + ahead < a.limit then
  redis.call('ZADD', KEYS[1], a.now, a.member)
  redis.call('PEXPIRE', KEYS[1], a.windowMs)
  if a.ticket ~= '' then
    redis.call('ZREM', KEYS[2], a.ticket)
    redis.call('ZREM', KEYS[3], a.ticket)
  end
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = a.windowMs
if oldest[2] then wait = tonumber(oldest[2]) + a.windowMs - a.now end
if wait < 20 then wait = 20 end
return {wait, ahead}
`;

export interface Slot {
  /** Milliseconds until a slot may be free; 0 means the call may go now. */
  waitMs: number;
  /** Approved changes ahead of this one. */
  ahead: number;
  /** The slot taken (when waitMs is 0), to be re-stamped when the call ends. */
  member?: string;
}

/** A waiting change renews its lease at every look (at least once a second); a call lasts less than this. */
const LEASE_MS = 60_000;

/**
 * Where approved changes wait their turn. The request store puts an approval in line in the same
 * atomic step that records it (lua.ts TRANSITION), so the line keeps the order in which approvals
 * landed, whichever replica's execution reaches the budget first.
 */
export interface Line {
  /** ZSET: ticket (request id) -> when its approval landed. */
  queue: string;
  /** ZSET: ticket -> until when its replica is known to be alive. */
  lease: string;
  leaseMs: number;
}

/** Harness's per-account call budget, shared by every replica through Redis. */
export class HarnessBudget {
  private readonly acquireScript;
  private readonly windowKey: string;
  private readonly queueKey: string;
  private readonly leaseKey: string;

  constructor(
    private readonly redis: Redis,
    account: string,
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {
    this.acquireScript = script(redis, 'apikeyHarnessBudget', ACQUIRE);
    this.windowKey = `apikey:harness-budget:{${account}}`;
    this.queueKey = `apikey:harness-queue:{${account}}`;
    this.leaseKey = `apikey:harness-lease:{${account}}`;
  }

  get line(): Line {
    return { queue: this.queueKey, lease: this.leaseKey, leaseMs: LEASE_MS };
  }

  /** Takes a slot for one call now, or says how long to wait. `ticket`: the change this call serves. */
  async tryAcquire(ticket?: string): Promise<Slot> {
    const member = randomUUID();
    const [waitMs, ahead] = (await this.acquireScript([this.windowKey, this.queueKey, this.leaseKey], {
      now: Date.now(),
      windowMs: this.windowMs,
      limit: this.limit,
      member,
      ticket: ticket ?? '',
      leaseMs: LEASE_MS,
    })) as [number, number];
    return { waitMs, ahead, ...(waitMs === 0 ? { member } : {}) };
  }

  /**
   * Re-stamps a slot with the time its call ended. Harness counts a call when it arrives, at the
   * latest when it answers; counting from the end keeps the bot's window behind Harness's even
   * when a request spends a while on the network.
   */
  async ended(member: string): Promise<void> {
    // The window's key expires a window after its newest stamp, this one's included (it expired
    // a window after the newest slot taken, forgetting calls that ended later).
    await guard(() => this.redis.multi().zadd(this.windowKey, 'XX', Date.now(), member).pexpire(this.windowKey, this.windowMs).exec());
  }

  /**
   * Keeps an approved change in line (by approval time) and renews its lease; it keeps its place
   * until it leaves. An approval is already in line from the step that recorded it; this puts
   * back one that lost its place (its replica stopped and the reconciler recovers it).
   */
  async join(ticket: string, approvedAtMs: number): Promise<void> {
    await guard(() => this.redis.multi().zadd(this.queueKey, 'NX', approvedAtMs, ticket).zadd(this.leaseKey, Date.now() + LEASE_MS, ticket).exec());
  }

  async leave(ticket: string): Promise<void> {
    await guard(() => this.redis.multi().zrem(this.queueKey, ticket).zrem(this.leaseKey, ticket).exec());
  }

  /** After a 429 Harness counted more than the bot did (other tools share the account): the window is full. */
  async exhausted(): Promise<void> {
    const now = Date.now();
    const fill = Array.from({ length: this.limit }, () => [now, randomUUID()] as const).flat();
    await guard(() => this.redis.multi().zadd(this.windowKey, ...fill).pexpire(this.windowKey, this.windowMs).exec());
  }
}
