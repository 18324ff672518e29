import { createLogger } from '../../../src/logger';
import { BudgetGate } from '../../../src/services/harness-budget';
import { HarnessBudget } from '../../../src/store/harness-budget';
import { RequestStore } from '../../../src/store/request-store';
import { useRealRedis } from '../../helpers/real-redis';
import { pendingRequest } from '../../helpers/requests';

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

  it('counts a call from its end: the window remembers one that ended later than the newest slot was taken', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-ended', 1, 1000);
    const slot = await budget.tryAcquire();
    expect(slot.waitMs).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    await budget.ended(slot.member!); // a slow call: it ended 600 ms after its slot was taken
    await new Promise((r) => setTimeout(r, 600)); // past a window since the slot, not since the end
    expect((await budget.tryAcquire()).waitMs).toBeGreaterThan(0);
  });

  it('serves queued changes in approval order', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-order', 1, 60_000);
    await budget.join('first', 1);
    await budget.join('second', 2);
    expect((await budget.tryAcquire('second')).ahead).toBe(1);
    expect((await budget.tryAcquire('first')).waitMs).toBe(0);
  });

  it('a change whose call got a slot counts in the window, not in line: the window fills, and those behind wait for the next', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-twice', 2, 60_000);
    for (const [i, ticket] of ['c1', 'c2', 'c3'].entries()) await budget.join(ticket, i + 1);
    expect(await budget.tryAcquire('c1')).toMatchObject({ waitMs: 0 });
    // c1's call is under way: c2 is now first in line and the window has room.
    expect(await budget.tryAcquire('c2')).toMatchObject({ waitMs: 0 });
    const third = await budget.tryAcquire('c3');
    expect(third.waitMs).toBeGreaterThan(0);
    expect(third.ahead).toBe(0);
    // c1 and c2 left the line with their first slot (their later calls go when the window has room).
    expect(await real.redis.zrange('apikey:harness-queue:{acct-twice}', 0, -1)).toEqual(['c3']);
  });

  it('an approval takes its place in line in the step that records it: one approved later waits, even when its execution asks first', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-line', 1, 60_000);
    const store = new RequestStore(real.redis, 'line-audit', false, () => new Date(), { line: budget.line });
    const [first, later, denied] = [pendingRequest('req-l1'), pendingRequest('req-l2'), pendingRequest('req-l3')];
    for (const r of [first, later, denied]) await store.create(r);
    const decide = (r: typeof first, to: 'approved' | 'denied') => store.transition(r, to, { actorId: 'U0ADMIN', forbidSelf: true, decision: true, patch: { approverId: 'U0ADMIN' }, audit: { event: to } });
    await decide(first, 'approved');
    await decide(later, 'approved');
    await decide(denied, 'denied');
    const approvals = (await real.redis.xrange('line-audit', '-', '+')).filter(([, f]) => f.includes('approved')).map(([id]) => Number(id.split('-')[0]));
    const line = await real.redis.zrange('apikey:harness-queue:{acct-line}', 0, -1, 'WITHSCORES');
    expect(line.filter((_, i) => i % 2 === 0)).toEqual(['req-l1', 'req-l2']); // a denial joins no line
    expect(Math.floor(Number(line[1]))).toBe(approvals[0]);
    expect(Math.floor(Number(line[3]))).toBe(approvals[1]);
    expect(await real.redis.zscore('apikey:harness-lease:{acct-line}', 'req-l2')).not.toBeNull();
    // The later approval's execution reaches the budget before the first one's does: it waits.
    const early = await budget.tryAcquire('req-l2');
    expect(early.ahead).toBe(1);
    expect(early.waitMs).toBeGreaterThan(0);
    expect(await budget.tryAcquire('req-l1')).toMatchObject({ waitMs: 0 });
  });

  it('a request that ends leaves the line in the step that records its end, even one that never reached its turn', async () => {
    const budget = new HarnessBudget(real.redis, 'acct-end', 1, 60_000);
    const store = new RequestStore(real.redis, 'end-audit', false, () => new Date(), { line: budget.line });
    const [broken, next] = [pendingRequest('req-e1'), pendingRequest('req-e2')];
    for (const r of [broken, next]) await store.create(r);
    const approve = (r: typeof broken) => store.transition(r, 'approved', { actorId: 'U0ADMIN', forbidSelf: true, decision: true, patch: { approverId: 'U0ADMIN' }, audit: { event: 'approved' } });
    const approved = await approve(broken);
    await approve(next);
    if (!approved.ok) throw new Error('the approval should land');
    // Its execution fails before it asks the budget for a turn (say, Redis failed a read).
    const claimed = await store.transition(approved.request, 'executing', { actorId: 'U0ADMIN' });
    if (!claimed.ok) throw new Error('the claim should land');
    expect(await real.redis.zrange('apikey:harness-queue:{acct-end}', 0, -1)).toEqual(['req-e1', 'req-e2']);
    await store.transition(claimed.request, 'failed', { actorId: 'U0ADMIN', patch: { error: 'x' }, audit: { event: 'failed', detail: 'x' } });
    expect(await real.redis.zrange('apikey:harness-queue:{acct-end}', 0, -1)).toEqual(['req-e2']);
    expect(await real.redis.zrange('apikey:harness-lease:{acct-end}', 0, -1)).toEqual(['req-e2']);
    expect(await budget.tryAcquire('req-e2')).toMatchObject({ waitMs: 0, ahead: 0 });
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
    // The ghosts are gone, and 'alive', its call under way, counts in the window, not in line.
    expect(await real.redis.zrange('apikey:harness-queue:{acct-ghosts}', 0, -1)).toEqual([]);
  });

  it('keeps each running change in its own turn while others finish (the turn storage goes off only when none runs)', async () => {
    const gate = new BudgetGate(new HarnessBudget(real.redis, 'acct-turns', 1, 300), createLogger({ level: 'error', secrets: [], write: () => undefined }));
    const queued: Record<'a' | 'b' | 'c', number[]> = { a: [], b: [], c: [] };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let aDone = 0;
    const turn = (ticket: 'a' | 'b' | 'c', approvedAt: number, work: () => Promise<void>) => gate.inTurn(ticket, approvedAt, () => queued[ticket].push(Date.now()), work);
    const call = async () => (await gate.beforeCall())();
    // One call per 300 ms, in approval order: a calls and ends; b makes two calls; c asks only
    // after a's turn has ended, and must still be known as c (queued behind b).
    await Promise.all([
      turn('a', 1, async () => {
        await call();
        await sleep(100);
        aDone = Date.now();
      }),
      turn('b', 2, async () => {
        await call();
        await call();
      }),
      turn('c', 3, async () => {
        await sleep(200);
        await call();
      }),
    ]);
    expect(queued.a).toEqual([]);
    expect(queued.b.length).toBeGreaterThan(0);
    expect(queued.c.length).toBeGreaterThan(0);
    expect(Math.min(...queued.c)).toBeGreaterThanOrEqual(aDone);
    expect(await real.redis.zcard('apikey:harness-queue:{acct-turns}')).toBe(0);
  });
});
