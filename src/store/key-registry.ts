import type Redis from 'ioredis';
import { keyRecordSchema, type KeyRecord } from '../domain/key-record';
import { AppError } from '../errors';
import { redisKeys } from './keys';
import { guard } from './redis';

/**
 * The keys the bot created or changed (domain/key-record.ts). Entries are written by
 * RequestStore.transition in the same atomic step as the `executed` audit entry.
 */
export class KeyRegistry {
  constructor(private readonly redis: Redis) {}

  async get(uuid: string): Promise<KeyRecord | undefined> {
    const raw = await guard(() => this.redis.hget(redisKeys.registry, uuid));
    return raw === null ? undefined : parse(raw);
  }

  async nameInUse(name: string): Promise<boolean> {
    const [registered, pending] = await guard(() =>
      Promise.all([this.redis.hexists(redisKeys.registryNames, name), this.redis.hexists(redisKeys.pendingNames, name)]),
    );
    return registered === 1 || pending === 1;
  }

  /** After a whole NextGen API key was deleted: every token the bot knows under it is gone too. */
  async markKeyDeleted(serviceAccount: string, apiKey: string, at: string): Promise<number> {
    const siblings = (await this.all()).filter((k) => !k.deletedAt && k.nextgen?.serviceAccount.id === serviceAccount && k.nextgen.apiKey === apiKey);
    if (siblings.length === 0) return 0;
    await guard(() => this.redis.hset(redisKeys.registry, ...siblings.flatMap((k) => [k.uuid, JSON.stringify({ ...k, deletedAt: at, updatedAt: at })])));
    return siblings.length;
  }

  async all(): Promise<KeyRecord[]> {
    const raw = await guard(() => this.redis.hvals(redisKeys.registry));
    return raw.map(parse).sort((a, b) => a.name.localeCompare(b.name));
  }
}

function parse(raw: string): KeyRecord {
  const parsed = keyRecordSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new AppError('STORE_CORRUPT', 'A key registry entry is unreadable.', { cause: parsed.error });
  return parsed.data;
}
