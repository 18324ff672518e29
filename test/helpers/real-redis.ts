import Redis from 'ioredis';
import { startRedis, type RedisServer } from '../../src/simulators/redis-server';

/**
 * A real redis-server for the suite it is called in (started before its tests, stopped after),
 * and one client on it. Read `redis` and `server` inside tests, not at definition time.
 */
export function useRealRedis(): { readonly redis: Redis; readonly server: RedisServer } {
  const held: { redis?: Redis; server?: RedisServer } = {};
  beforeAll(async () => {
    held.server = await startRedis();
    held.redis = new Redis(held.server.url);
  });
  afterAll(async () => {
    held.redis?.disconnect();
    await held.server?.close();
  });
  return {
    get redis() {
      return held.redis!;
    },
    get server() {
      return held.server!;
    },
  };
}
