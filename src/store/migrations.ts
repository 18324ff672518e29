import type Redis from 'ioredis';
import { MOVED_KEYS } from './keys';

/**
 * Moves keys of earlier versions to their current names, once, at start-up; idempotent, and safe
 * with several replicas starting together (ZUNIONSTORE then DEL: a set merged twice is the same set).
 */
export async function migrateKeys(redis: Redis): Promise<number> {
  let moved = 0;
  const merge = async (from: string, to: string) => {
    if ((await redis.exists(from)) === 0) return;
    await redis.multi().zunionstore(to, 2, to, from).del(from).exec();
    moved++;
  };
  await merge(MOVED_KEYS.openRequests.from, MOVED_KEYS.openRequests.to);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', MOVED_KEYS.requestsOf.pattern, 'COUNT', 500);
    cursor = next;
    for (const key of keys) await merge(key, MOVED_KEYS.requestsOf.to + key.slice(MOVED_KEYS.requestsOf.from.length));
  } while (cursor !== '0');
  return moved;
}
