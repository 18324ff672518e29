import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Notification } from '../domain/notifications';
import { redisKeys } from './keys';
import { OUTBOX_CLAIM, OUTBOX_DONE } from './lua';
import { guard, releaseLock, renewLock, script } from './redis';

/** Marks kept for 90 days: long enough for any redelivery, short enough not to pile up. */
const DELIVERED_TTL_SECONDS = 90 * 24 * 3600;

export interface OutboxItem {
  /** The item as stored: removing it needs the exact bytes. */
  raw: string;
  notification: Notification;
}

/** What a delivery left behind that a later one needs (a DM's location, the audit thread). */
export interface DeliveryMark {
  name: string;
  value: string;
}

/** A subject's delivery lock, while this process holds it. */
export interface OutboxLock {
  readonly token: string;
  /**
   * True while the lock is ours for at least `needMs` more. Answers without a round trip while
   * the last renewal (or the claim) leaves that much by this process's monotonic clock; renews it
   * otherwise, and answers false when it is no longer ours.
   */
  held(needMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/** A subject claimed for delivery: its lock, what it owes and the marks its deliveries left. */
export interface OutboxClaim {
  lock: OutboxLock;
  items: OutboxItem[];
  marks: Map<string, string>;
}

/**
 * The notifications each request still owes (written by the state-change scripts in lua.ts), and
 * marks of what was delivered. A per-subject lock keeps two replicas from delivering the same item.
 */
export class OutboxStore {
  private readonly claimScript;
  private readonly done;

  constructor(
    private readonly redis: Redis,
    /** Milliseconds on a clock that never jumps (the lock's life is timed with it). */
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.claimScript = script(redis, 'apikeyOutboxClaim', OUTBOX_CLAIM);
    this.done = script(redis, 'apikeyOutboxDone', OUTBOX_DONE);
  }

  /** Subjects with something owed since at least `olderThanMs` ago, oldest first. */
  due(olderThanMs: number, limit = 100): Promise<string[]> {
    return guard(() => this.redis.zrangebyscore(redisKeys.outboxIndex, '-inf', Date.now() - olderThanMs, 'LIMIT', 0, limit));
  }

  /** Owes one more notification (for events that change no request state, such as a reveal). */
  async owe(subject: string, notification: Notification): Promise<void> {
    await guard(() =>
      this.redis.multi().rpush(redisKeys.outbox(subject), JSON.stringify(notification)).zadd(redisKeys.outboxIndex, 'NX', Date.now(), subject).exec(),
    );
  }

  async items(subject: string): Promise<OutboxItem[]> {
    return (await guard(() => this.redis.lrange(redisKeys.outbox(subject), 0, -1))).map(parseItem);
  }

  /** Every mark the subject's deliveries left, by name. */
  async marks(subject: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await guard(() => this.redis.hgetall(redisKeys.delivered(subject)))));
  }

  /**
   * Takes the subject's delivery lock for `ttlMs` and reads what it owes, in one step. Answers
   * 'held' when another holder has the lock, 'none' when nothing is owed (no lock is taken).
   */
  async claim(subject: string, ttlMs: number): Promise<OutboxClaim | 'held' | 'none'> {
    const token = randomUUID();
    const key = redisKeys.outboxLock(subject);
    // Taken before the script runs: the lock can only expire later than this says.
    let renewedAt = this.monotonic();
    const res = await this.claimScript([key, redisKeys.outbox(subject), redisKeys.delivered(subject)], { token, ttlMs });
    if (res === 'HELD') return 'held';
    const [raw, flat] = res as [string[]?, string[]?];
    if (!raw?.length) return 'none';
    const marks = new Map<string, string>();
    for (let i = 0; i + 1 < (flat?.length ?? 0); i += 2) marks.set(flat![i]!, flat![i + 1]!);
    const lock: OutboxLock = {
      token,
      held: async (needMs) => {
        if (ttlMs - (this.monotonic() - renewedAt) >= needMs) return true;
        renewedAt = this.monotonic();
        return renewLock(this.redis, key, token, ttlMs);
      },
      release: () => releaseLock(this.redis, key, token).catch(() => undefined),
    };
    return { lock, items: raw.map(parseItem), marks };
  }

  /**
   * Removes a delivered item, recording its mark in the same step; answers how many items are
   * still owed. At none, the lock is released with it.
   */
  async remove(subject: string, item: OutboxItem, lock: OutboxLock, mark?: DeliveryMark): Promise<number> {
    const keys = [redisKeys.outbox(subject), redisKeys.outboxIndex, redisKeys.delivered(subject), redisKeys.outboxLock(subject)];
    const args = { item: item.raw, subject, token: lock.token, ...(mark ? { mark: mark.name, value: mark.value, ttl: DELIVERED_TTL_SECONDS } : {}) };
    return Number(await this.done(keys, args));
  }
}

const parseItem = (raw: string): OutboxItem => ({ raw, notification: JSON.parse(raw) as Notification });
