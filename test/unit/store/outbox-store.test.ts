import { OutboxStore } from '../../../src/store/outbox-store';
import { redisKeys } from '../../../src/store/keys';
import { useRealRedis } from '../../helpers/real-redis';

describe('OutboxStore (what requests owe, in Redis)', () => {
  const real = useRealRedis();

  it('removes a delivered item and records its mark in one step, answering what is still owed', async () => {
    const store = new OutboxStore(real.redis);
    await store.owe('req-a', { kind: 'requester-dm', about: 'pending' });
    await store.owe('req-a', { kind: 'approval-update' });
    const [dm, update] = await store.items('req-a');

    expect(await store.remove('req-a', dm!, { name: 'dm:pending', value: 'D1 1700000000.000100' })).toBe(1);
    expect(await store.marks('req-a')).toEqual(new Map([['dm:pending', 'D1 1700000000.000100']]));
    const ttl = await real.redis.ttl(redisKeys.delivered('req-a'));
    expect(ttl).toBeGreaterThan(89 * 24 * 3600);
    expect(await real.redis.zscore(redisKeys.outboxIndex, 'req-a')).not.toBeNull();

    // The last item: nothing owed, and the subject leaves the index the reconciler reads.
    expect(await store.remove('req-a', update!)).toBe(0);
    expect(await store.items('req-a')).toEqual([]);
    expect(await real.redis.zscore(redisKeys.outboxIndex, 'req-a')).toBeNull();
    expect((await store.marks('req-a')).size).toBe(1);
  });

  it('renews its lock once a third of its life has passed, and says when it is no longer ours', async () => {
    let now = 1_000_000;
    const store = new OutboxStore(real.redis, () => now);
    const lock = (await store.lock('req-b', 30_000))!;
    expect(lock).toBeDefined();
    expect(await store.lock('req-b', 30_000)).toBeUndefined();
    const key = redisKeys.outboxLock('req-b');

    // Within the first third: still ours without asking Redis (the TTL set here stays as it is).
    await real.redis.pexpire(key, 20_000);
    now += 9_000;
    expect(await lock.held()).toBe(true);
    expect(await real.redis.pttl(key)).toBeLessThanOrEqual(20_000);

    // Past it: renewed to the full life.
    now += 2_000;
    expect(await lock.held()).toBe(true);
    expect(await real.redis.pttl(key)).toBeGreaterThan(29_000);

    // Expired and taken by another replica meanwhile: not ours, and releasing leaves theirs alone.
    await real.redis.set(key, 'another-token', 'PX', 30_000);
    now += 11_000;
    expect(await lock.held()).toBe(false);
    await lock.release();
    expect(await real.redis.get(key)).toBe('another-token');
  });
});
