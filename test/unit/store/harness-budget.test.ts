import { HarnessBudget } from '../../../src/store/harness-budget';
import { useRealRedis } from '../../helpers/real-redis';

describe('HarnessBudget (sliding window and queue in Redis)', () => {
  const real = useRealRedis();

  it('never lets more than the limit through in any window, and says how long to wait', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-window', 3, 1000);
    const slots = await Promise.all(Array.from({ length: 5 }, () => budget.tryAcquire()));
    expect(slots.filter((s) => s.waitMs === 0)).toHaveLength(3);
    const refused = slots.find((s) => s.waitMs > 0)!;
    expect(refused.waitMs).toBeGreaterThan(0);
    expect(refused.waitMs).toBeLessThanOrEqual(1000);
  });

  it('serves queued changes in approval order', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-order', 1, 60_000);
    await budget.join('first', 1);
    await budget.join('second', 2);
    expect((await budget.tryAcquire('second')).ahead).toBe(1);
    expect((await budget.tryAcquire('first')).waitMs).toBe(0);
  });

  it('drops the place of a change whose replica died, so it cannot block the line for good', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-ghosts', 2, 60_000);
    await budget.join('ghost-1', 1);
    await budget.join('ghost-2', 2);
    await budget.join('alive', 3);
    expect((await budget.tryAcquire('alive')).ahead).toBe(2);
    // Their replica stopped renewing: the leases lapse.
    await real.redis.zadd('apikey:harness-lease:{acct-ghosts}', Date.now() - 1, 'ghost-1', Date.now() - 1, 'ghost-2');
    expect(await budget.tryAcquire('alive')).toMatchObject({ waitMs: 0 });
    expect(await real.redis.zrange('apikey:harness-queue:{acct-ghosts}', 0, -1)).toEqual(['alive']);
  });
});
