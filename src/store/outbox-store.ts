import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Notification } from '../domain/notifications';
import { redisKeys } from './keys';
import { OUTBOX_DONE } from './lua';
import { guard, releaseLock, renewLock, script } from './redis';

/** Marks kept for 90 days: long enough for any redelivery, short enough not to pile up. */
const DELIVERED_TTL_SECONDS = 90 * 24 * 3600;

export interface OutboxItem {
  /** The item as stored: removing it needs the exact bytes. */
  raw: string;
  notification: Notification;
}

/**
 * The notifications each request still owes (written by the state-change scripts in lua.ts), and
 * marks of what was delivered. A per-subject lock keeps two replicas from delivering the same item.
 */
export class OutboxStore {
  private readonly done;

  constructor(private readonly redis: Redis) {
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
    const raw = await guard(() => this.redis.lrange(redisKeys.outbox(subject), 0, -1));
    return raw.map((r) => ({ raw: r, notification: JSON.parse(r) as Notification }));
  }

  async remove(subject: string, item: OutboxItem): Promise<void> {
    await this.done([redisKeys.outbox(subject), redisKeys.outboxIndex], { item: item.raw, subject });
  }

  /**
   * Takes the subject's delivery lock. Returns `renew` (true while the lock is still ours; call it
   * before each item, as one Slack call may take a good part of the lock's life) and `release`,
   * or undefined when another holder has it.
   */
  async lock(subject: string, ttlMs: number): Promise<{ renew: () => Promise<boolean>; release: () => Promise<void> } | undefined> {
    const token = randomUUID();
    const key = redisKeys.outboxLock(subject);
    const got = await guard(() => this.redis.set(key, token, 'PX', ttlMs, 'NX'));
    if (got !== 'OK') return undefined;
    return {
      renew: () => renewLock(this.redis, key, token, ttlMs),
      release: () => releaseLock(this.redis, key, token).catch(() => undefined),
    };
  }

  async mark(subject: string, name: string): Promise<string | undefined> {
    return (await guard(() => this.redis.hget(redisKeys.delivered(subject), name))) ?? undefined;
  }

  async setMark(subject: string, name: string, value: string): Promise<void> {
    const key = redisKeys.delivered(subject);
    await guard(() => this.redis.multi().hset(key, name, value).expire(key, DELIVERED_TTL_SECONDS).exec());
  }
}
