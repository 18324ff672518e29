import Redis from 'ioredis';
import { ACTIONS, NEXTGEN_MODALS } from '../../src/slack/ids';
import { APPROVERS, REQUESTER, SECRETS, startEnvironment, type Environment } from '../helpers/environment';
import { readAudit, waitUntil, clickDecision } from '../helpers/flows';
import { approveToken, clickReveal, createTokenValues, deleteTokenValues, rotateValues, submitToken, tokenOf } from '../helpers/nextgen-flows';

/** Harness NextGen's answers, in plain words; writes never retried blindly. */
describe('Harness NextGen failures', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ nextgen: true });
  });
  afterAll(async () => {
    await env.close();
  });

  const createAndApprove = async (sa: string, name: string) => {
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues(sa, name, '7'));
    const dm = await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER);
    return { requestId: requestId!, dm: String(dm.args.text) };
  };
  const calls = (operationId: string) => env.nextgen!.requests.filter((r) => r.operationId === operationId).length;

  it('401 INVALID_TOKEN: the operator is told to check HARNESS_API_KEY, and the key is never shown', async () => {
    env.nextgen!.modeFor({ kind: 'status', status: 401, body: { status: 'ERROR', code: 'INVALID_TOKEN', message: 'Token is not valid.' } }, 1, { operationId: 'createToken' });
    const { dm } = await createAndApprove('sa_0001', 'unauthorised');
    expect(dm).toMatch(/did not complete/);
    expect(dm).toMatch(/HARNESS_API_KEY/);
    expect(dm).not.toContain(SECRETS.harnessKey);
  });

  it('access denied: the person reads that an operator must grant a permission; the log names it', async () => {
    env.nextgen!.state.denied.push('core_serviceaccount_manageapikey:sa_0003');
    const { dm } = await createAndApprove('sa_0003', 'no permission');
    expect(dm).toMatch(/permission/i);
    await waitUntil(() => env.logs.find((l) => l.includes('core_serviceaccount_manageapikey')), 3000, 'permission in the log');
    env.nextgen!.state.denied.length = 0;
  });

  it('the 5-keys limit of a service account is checked before creating, in words that say what to do', async () => {
    for (let i = 0; i < 5; i++) await createAndApprove('sa_0004', `key ${i}`);
    const keys = env.nextgen!.state.apiKeys.filter((k) => k.parentIdentifier === 'sa_0004').length;
    const { dm } = await createAndApprove('sa_0004', 'one too many');
    expect(dm).toMatch(/already has 5 API keys.*Delete one/);
    expect(env.nextgen!.state.apiKeys.filter((k) => k.parentIdentifier === 'sa_0004')).toHaveLength(keys);
  });

  it('a rotation at the 5-tokens limit is refused before Harness could half-rotate', async () => {
    // Five tokens under one key: the same key name, created five times.
    for (let i = 0; i < 5; i++) await createAndApprove('sa_0005', 'busy key');
    const uuid = (await tokenOf(env, 'busy key')).identifier;
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.rotate, rotateValues(uuid, '24'));
    const before = calls('rotateToken');
    const dm = String((await approveToken(env, requestId!, APPROVERS[1]!, REQUESTER)).args.text);
    expect(dm).toMatch(/did not complete/);
    expect(dm).toMatch(/5 tokens|limit/i);
    expect(calls('rotateToken')).toBe(before);
    expect(env.nextgen!.state.tokens.filter((t) => t.identifier.startsWith('rotated_'))).toHaveLength(0);
  });

  it('deleting a whole API key retires every token the bot knows under it, and the trail names the service account', async () => {
    const uuid = (await tokenOf(env, 'busy key')).identifier;
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.delete, deleteTokenValues(uuid, 'key'));
    await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER);
    const redis = new Redis(env.redis.url);
    try {
      const records = Object.values(await redis.hgetall('apikey:keys')).map((raw) => JSON.parse(raw) as { name: string; deletedAt?: string });
      const busy = records.filter((r) => r.name === 'busy key');
      expect(busy).toHaveLength(5);
      expect(busy.every((r) => r.deletedAt)).toBe(true);
    } finally {
      redis.disconnect();
    }
    const deleted = (await readAudit(env)).find((e) => e.requestId === requestId && e.event === 'deleted')!;
    expect(deleted.serviceAccount).toBe('sa_0005');
  });

  it('a 500 on delete is resolved by listing again: a token already gone counts as deleted', async () => {
    const { requestId } = await createAndApprove('sa_0006', 'gone already');
    await clickReveal(env, REQUESTER, requestId);
    const token = await tokenOf(env, 'gone already');
    const { requestId: del } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.delete, deleteTokenValues(token.identifier, 'token'));
    // Someone deleted it in the Harness UI meanwhile: Harness answers 500 for the unknown id.
    env.nextgen!.state.tokens.splice(env.nextgen!.state.tokens.indexOf(token), 1);
    const dm = String((await approveToken(env, del!, APPROVERS[0]!, REQUESTER)).args.text);
    expect(dm).toMatch(/Approved by .* was deleted/);
    const events = (await readAudit(env)).filter((e) => e.requestId === del).map((e) => e.event);
    expect(events).toEqual(['requested', 'approved', 'deleted']);
  });

  it('two replicas racing on one approval make one key and one token', async () => {
    const replica = await env.startReplica();
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues('sa_0010', 'raced', '3'));
    const clicks = [env.sender, replica.sender, env.sender, replica.sender].map((s, i) => clickDecision(env, APPROVERS[i % 2]!, ACTIONS.approve, requestId!, s));
    await Promise.all(clicks);
    await waitUntil(() => env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === REQUESTER && String(c.args.text).includes('raced') && String(c.args.text).includes('Approved by')), 8000, 'result DM');
    await new Promise((r) => setTimeout(r, 600)); // a reconciler pass on each replica
    expect(env.nextgen!.state.apiKeys.filter((k) => k.identifier === 'raced')).toHaveLength(1);
    expect(env.nextgen!.state.tokens.filter((t) => t.name === 'raced')).toHaveLength(1);
    const events = (await readAudit(env)).filter((e) => e.requestId === requestId).map((e) => e.event);
    expect(events.filter((e) => e === 'approved')).toHaveLength(1);
    expect(events.filter((e) => e === 'executed')).toHaveLength(1);
    expect(env.nextgen!.invalidRequests).toEqual([]);
  });
});
