import { OutboxStore, type OutboxClaim } from '../../../src/store/outbox-store';
import { redisKeys } from '../../../src/store/keys';
import { useRealRedis } from '../../helpers/real-redis';

describe('OutboxStore (what requests owe, in Redis)', () => {
  const real = useRealRedis();

  it('claims a subject with what it owes and its marks in one step; another claimant is told it is held', async () => {
    const store = new OutboxStore(real.redis);
    expect(await store.claim('req-none', 30_000)).toBe('none');
    expect(await real.redis.exists(redisKeys.outboxLock('req-none'))).toBe(0);

    await store.owe('req-a', { kind: 'requester-dm', about: 'pending' });
    await store.owe('req-a', { kind: 'approval-update' });
    await real.redis.hset(redisKeys.delivered('req-a'), 'thread', '1700000000.000100');
    const claim = (await store.claim('req-a', 30_000)) as OutboxClaim;
    expect(claim.items.map((i) => i.notification)).toEqual([{ kind: 'requester-dm', about: 'pending' }, { kind: 'approval-update' }]);
    expect(claim.marks).toEqual(new Map([['thread', '1700000000.000100']]));
    expect(await real.redis.pttl(redisKeys.outboxLock('req-a'))).toBeGreaterThan(29_000);
    expect(await store.claim('req-a', 30_000)).toBe('held');
  });

  it('removes a delivered item and records its mark in one step; the last removal releases the lock', async () => {
    const store = new OutboxStore(real.redis);
    await store.owe('req-b', { kind: 'requester-dm', about: 'pending' });
    await store.owe('req-b', { kind: 'approval-update' });
    const { lock, items } = (await store.claim('req-b', 30_000)) as OutboxClaim;
    const [dm, update] = items;

    expect(await store.remove('req-b', dm!, lock, { name: 'dm:pending', value: 'D1 1700000000.000100' })).toBe(1);
    expect(await store.marks('req-b')).toEqual(new Map([['dm:pending', 'D1 1700000000.000100']]));
    expect(await real.redis.ttl(redisKeys.delivered('req-b'))).toBeGreaterThan(89 * 24 * 3600);
    expect(await real.redis.zscore(redisKeys.outboxIndex, 'req-b')).not.toBeNull();
    expect(await real.redis.get(redisKeys.outboxLock('req-b'))).toBe(lock.token);

    // The last item: nothing owed, the subject leaves the index the reconciler reads, the lock is free.
    expect(await store.remove('req-b', update!, lock)).toBe(0);
    expect(await store.items('req-b')).toEqual([]);
    expect(await real.redis.zscore(redisKeys.outboxIndex, 'req-b')).toBeNull();
    expect(await real.redis.exists(redisKeys.outboxLock('req-b'))).toBe(0);
    expect((await store.marks('req-b')).size).toBe(1);
  });

  it('leaves a lock taken over by another holder alone when its last item goes', async () => {
    const store = new OutboxStore(real.redis);
    await store.owe('req-c', { kind: 'approval-update' });
    const { lock, items } = (await store.claim('req-c', 30_000)) as OutboxClaim;
    await real.redis.set(redisKeys.outboxLock('req-c'), 'another-token', 'PX', 30_000);
    expect(await store.remove('req-c', items[0]!, lock)).toBe(0);
    expect(await real.redis.get(redisKeys.outboxLock('req-c'))).toBe('another-token');
  });

  it('renews its lock only when less than what an item needs is left, and says when it is no longer ours', async () => {
    let clock = 5_000;
    const store = new OutboxStore(real.redis, () => clock);
    await store.owe('req-d', { kind: 'approval-update' });
    const { lock } = (await store.claim('req-d', 30_000)) as OutboxClaim;
    const key = redisKeys.outboxLock('req-d');

    // 25 s of the lock's 30 s still left: ours without asking Redis (the TTL set here stays as it is).
    await real.redis.pexpire(key, 20_000);
    clock += 5_000;
    expect(await lock.held(25_000)).toBe(true);
    expect(await real.redis.pttl(key)).toBeLessThanOrEqual(20_000);

    // Less than that: renewed to the full life.
    clock += 1;
    expect(await lock.held(25_000)).toBe(true);
    expect(await real.redis.pttl(key)).toBeGreaterThan(29_000);

    // Expired and taken by another replica meanwhile: not ours, and releasing leaves theirs alone.
    await real.redis.set(key, 'another-token', 'PX', 30_000);
    clock += 31_000;
    expect(await lock.held(25_000)).toBe(false);
    await lock.release();
    expect(await real.redis.get(key)).toBe('another-token');
  });
});
