import Redis from 'ioredis';
import { ACTIONS, NEXTGEN_MODALS } from '../../src/slack/ids';
import { groupId } from '../../src/simulators/harness-firstgen';
import { APPROVERS, REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { clickDecision, dmsTo, readAudit, submitCreate, waitUntil } from '../helpers/flows';
import { approveToken, createTokenValues, submitToken } from '../helpers/nextgen-flows';

/**
 * Harness counts calls per account over any 60 s; so does the bot, across replicas, in Redis.
 * Here the window is 2 s (the same code, a shorter span) and the simulated Harness answers 429
 * above 4 calls in it, as Harness does above its budget.
 */
describe("Harness's budget shared by replicas", () => {
  const WINDOW_MS = 2000;
  const LIMIT = 4;
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ env: { HARNESS_RATE_LIMIT_PER_MINUTE: String(LIMIT) }, harnessRateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  });
  afterAll(async () => {
    await env.close();
  });

  it('a burst of approvals on two replicas gets no 429, keeps every window under the budget, and runs in approval order', async () => {
    const replica = await env.startReplica();
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    const ids: string[] = [];
    for (const name of names) ids.push(await submitCreate(env, REQUESTER, name, [groupId(1)]));
    await new Promise((r) => setTimeout(r, WINDOW_MS)); // the submissions' group reads have left the window
    const started = Date.now();
    await Promise.all(ids.map((id, i) => clickDecision(env, APPROVERS[i % 2]!, ACTIONS.approve, id, i % 2 === 0 ? env.sender : replica.sender)));
    await waitUntil(() => names.every((n) => dmsTo(env, REQUESTER).some((t) => t.includes(n) && t.includes('created'))), 20_000, 'every result DM');
    const elapsed = Date.now() - started;

    expect(env.harness.rateLimited).toBe(0);
    const creates = env.harness.mutations('createApiKey');
    expect(creates).toHaveLength(10);
    // Close to the budget's minimum: 10 calls at 4 per window need two more windows, not much more.
    expect(elapsed).toBeGreaterThanOrEqual(2 * WINDOW_MS - 200);
    expect(elapsed).toBeLessThan(4 * WINDOW_MS);
    // Approval order is the order in which the approvals landed (their audit entries' order):
    // the first four sent are the first four approved (each waits for its turn), and each
    // decision's decidedAt follows that order too.
    const approvals = (await readAudit(env)).filter((e) => e.event === 'approved' && ids.includes(e.requestId));
    expect(approvals).toHaveLength(10);
    const redis = new Redis(env.redis.url);
    const decidedAt = await Promise.all(approvals.map(async (e) => Date.parse((await redis.hget(`apikey:req:${e.requestId}`, 'decidedAt')) ?? '')));
    redis.disconnect();
    expect(decidedAt).toEqual([...decidedAt].sort((a, b) => a - b));
    const approvedFirst = approvals.slice(0, LIMIT).map((e) => e.keyName).sort();
    const sentFirst = creates.slice(0, LIMIT).map((c) => (c.variables.input as { name: string }).name).sort();
    expect(sentFirst).toEqual(approvedFirst);
    // Approvers saw the queue.
    expect(env.slack.callsTo('chat.update').some((c) => JSON.stringify(c.args.blocks).includes('queued for Harness'))).toBe(true);
  });

  it('a 429 that happens anyway (another tool spends the budget) is waited out, the create sent once more, not failed', async () => {
    const id = await submitCreate(env, REQUESTER, 'after-429', [groupId(2)]);
    env.harness.modeFor({ kind: 'status', status: 429, body: `{"errors":[{"message":"You've reached your account's rate limit for data queries. Please try again later."}]}` }, 1);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('after-429')  && t.includes('Approved by')), 10_000, 'result DM');
    expect(dm).toContain('created');
    expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('after-429'))).toHaveLength(2);
    expect([...env.harness.keys.values()].filter((k) => k.name === 'after-429')).toHaveLength(1);
  });

  it('429s that go on past the retries are reported as the rate limit, the create sent at most three times', async () => {
    const id = await submitCreate(env, REQUESTER, 'always-429', [groupId(2)]);
    env.harness.modeFor({ kind: 'status', status: 429, body: `{"errors":[{"message":"You've reached your account's rate limit for data queries. Please try again later."}]}` }, 3);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes(id) && t.includes('did not complete')), 15_000, 'failure DM');
    expect(dm).toMatch(/rate limit reached \(HTTP 429\)/);
    expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('always-429'))).toHaveLength(3);
  });
});

describe("NextGen's budget", () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ nextgen: true, budgetWindowMs: 1500 });
  });
  afterAll(async () => {
    await env.close();
  });

  it('a 429 on a token create is waited out and the create sent once more: one token, delivered', async () => {
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues('sa_0002', 'after 429', '7'));
    const before = env.nextgen!.requests.filter((r) => r.operationId === 'createToken').length;
    env.nextgen!.modeFor({ kind: 'status', status: 429, body: 'Too Many Requests', contentType: 'text/plain' }, 1, { operationId: 'createToken' });
    const dm = String((await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER)).args.text);
    expect(dm).toMatch(/Approved by .* new token/);
    expect(env.nextgen!.requests.filter((r) => r.operationId === 'createToken').length - before).toBe(2);
    expect(env.nextgen!.state.tokens.filter((t) => t.name === 'after 429')).toHaveLength(1);
  });
});
