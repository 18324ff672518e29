import Redis from 'ioredis';
import { NEXTGEN_MODALS, REVEAL_MODAL } from '../../src/slack/ids';
import { APPROVERS, REQUESTER, SECRETS, startEnvironment, type Environment } from '../helpers/environment';
import { dmsTo, readAudit, waitUntil } from '../helpers/flows';
import { approveToken, clickReveal, createTokenValues, deleteTokenValues, rotateValues, submitToken, tokenOf, updateTokenValues } from '../helpers/nextgen-flows';

const DAY = 86_400_000;

/** Everything the bot wrote anywhere but the reveal modal: logs, every Redis value, every Slack call. */
async function everythingButTheRevealModal(env: Environment): Promise<string> {
  const redis = new Redis(env.redis.url);
  try {
    const dump: string[] = [];
    for (const k of await redis.keys('*')) {
      const type = await redis.type(k);
      if (type === 'string') dump.push((await redis.get(k)) ?? '');
      if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(k)));
      if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(k, '-', '+')));
      if (type === 'zset' || type === 'list') dump.push(JSON.stringify(type === 'zset' ? await redis.zrange(k, 0, -1) : await redis.lrange(k, 0, -1)));
    }
    const slack = env.slack.calls.filter((c) => !(c.method === 'views.open' && (c.args.view as { callback_id?: string }).callback_id === REVEAL_MODAL.callbackId));
    return [dump.join('\n'), env.logs.join('\n'), JSON.stringify(slack.map((c) => c.args))].join('\n');
  } finally {
    redis.disconnect();
  }
}

describe('Harness NextGen: a token for a service account, handed over once', () => {
  let env: Environment;
  const values: string[] = [];
  beforeAll(async () => {
    env = await startEnvironment({ nextgen: true });
  });
  afterAll(async () => {
    await env.close();
  });

  it('create -> approve -> reveal once; a second reveal and another person get nothing', async () => {
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues('sa_0007', 'ci deployer', '30'));
    expect(requestId).toMatch(/^req-/);
    const approval = env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0APPROVALS' && JSON.stringify(c.args.blocks).includes(requestId!))!;
    // Approvers see which service account the token acts as, and for how long.
    expect(JSON.stringify(approval.args.blocks)).toMatch(/Service account 0007.*sa_0007/);
    expect(JSON.stringify(approval.args.blocks)).toContain('30 days after approval');
    expect(env.nextgen!.state.apiKeys).toHaveLength(0);

    const before = Date.now();
    const dm = await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER);
    expect(JSON.stringify(dm.args.blocks)).toContain('reveal_token');
    const key = env.nextgen!.state.apiKeys.find((k) => k.identifier === 'ci_deployer')!;
    expect(key).toMatchObject({ parentIdentifier: 'sa_0007', name: 'ci deployer' });
    const minted = await tokenOf(env, 'ci deployer');
    expect(minted.validTo).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(minted.validTo).toBeLessThan(Date.now() + 30 * DAY + 1000);

    expect(await clickReveal(env, APPROVERS[0]!, requestId!)).toEqual({ said: expect.stringMatching(/Only the person who requested/) });
    // The modal cannot open (an expired trigger): nothing counts as revealed, the value stays kept.
    env.slack.failures.set('views.open', 'expired_trigger_id');
    expect(await clickReveal(env, REQUESTER, requestId!)).toEqual({ said: expect.stringMatching(/still kept for you/) });
    env.slack.failures.delete('views.open');
    const first = await clickReveal(env, REQUESTER, requestId!);
    expect(first.value).toMatch(new RegExp(`^sat\\.[^.]+\\.${minted.id}\\.[A-Za-z0-9]{20}$`));
    values.push(first.value!);
    expect(await clickReveal(env, REQUESTER, requestId!)).toEqual({ said: expect.stringMatching(/already revealed/) });
    // The DM no longer offers the button.
    await waitUntil(() => env.slack.callsTo('chat.update').find((c) => String(c.args.text).includes('was revealed to you')), 5000, 'DM rewritten');

    const events = (await readAudit(env)).filter((e) => e.requestId === requestId).map((e) => e.event);
    expect(events).toEqual(['requested', 'approved', 'executed', 'refused', 'revealed']);
    const revealed = (await readAudit(env)).find((e) => e.requestId === requestId && e.event === 'revealed')!;
    expect(revealed.detail).toContain(minted.id);
  });

  it('a reveal window that passed: audited, the DM says so and offers a rotation', async () => {
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues('sa_0008', 'expiring reveal', '10'));
    await approveToken(env, requestId!, APPROVERS[1]!, REQUESTER);
    values.push(...env.nextgen!.state.tokens.filter((t) => t.name === 'expiring reveal').map(() => ''));
    const redis = new Redis(env.redis.url);
    try {
      // What TOKEN_REVEAL_TTL later looks like: the sealed value is gone, its deadline past.
      await redis.del(`apikey:reveal:${requestId}`);
      await redis.zadd('apikey:reveal-due', Date.now() - 1, requestId!);
      await redis.hset(`apikey:req:${requestId}`, 'revealUntil', String(Date.now() - 1));
    } finally {
      redis.disconnect();
    }
    const update = await waitUntil(() => env.slack.callsTo('chat.update').find((c) => String(c.args.text).includes('was not revealed')), 5000, 'expired DM');
    expect(JSON.stringify(update.args.blocks)).toContain('request_rotation');
    expect(await clickReveal(env, REQUESTER, requestId!)).toEqual({ said: expect.stringMatching(/time to reveal this token has passed/) });
    await waitUntil(async () => (await readAudit(env)).some((e) => e.requestId === requestId && e.event === 'reveal_expired'), 5000, 'reveal_expired event');
  });

  it('rotates with a grace period, then without: a new value each time, the old one kept only for the grace', async () => {
    const uuid = (await tokenOf(env, 'ci deployer')).identifier;
    const { requestId } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.rotate, rotateValues(uuid, '24'));
    const at = Date.now();
    await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER);
    const rotated = env.nextgen!.state.tokens.find((t) => t.identifier.startsWith('rotated_'))!;
    expect(rotated.scheduledExpireTime).toBeGreaterThanOrEqual(at + 24 * 3_600_000);
    const fresh = await clickReveal(env, REQUESTER, requestId!);
    expect(fresh.value).toMatch(/^sat\./);
    expect(fresh.value).not.toBe(values[0]);
    values.push(fresh.value!);

    const second = await submitToken(env, REQUESTER, NEXTGEN_MODALS.rotate, rotateValues(uuid, '0', 'suspected leak'));
    await approveToken(env, second.requestId!, APPROVERS[1]!, REQUESTER);
    // The second rotation's old value was cut off at once (rotateTimestamp = now).
    const cutOff = env.nextgen!.state.tokens.filter((t) => t.identifier.startsWith('rotated_')).map((t) => t.scheduledExpireTime!);
    expect(cutOff).toHaveLength(2);
    expect(Math.min(...cutOff)).toBeLessThanOrEqual(Date.now());
    values.push((await clickReveal(env, REQUESTER, second.requestId!)).value!);
  });

  it('only the token\'s requester may ask for its rotation: the new value goes to whoever asks', async () => {
    const uuid = (await tokenOf(env, 'ci deployer')).identifier;
    const other = await submitToken(env, 'U0OTHER', NEXTGEN_MODALS.rotate, rotateValues(uuid, '24'));
    expect(other.errors?.token).toMatch(/Only <@U0DEV>, who requested this token, can ask for its rotation/);
  });

  it('updates a token\'s name and expiry within MAX_TOKEN_DAYS, and refuses more', async () => {
    const uuid = (await tokenOf(env, 'ci deployer')).identifier;
    const tooLong = await submitToken(env, REQUESTER, NEXTGEN_MODALS.update, updateTokenValues(uuid, 'ci deployer', '365'));
    expect(tooLong.errors?.validity_days).toMatch(/from 1 to 90/);
    const { requestId, errors } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.update, updateTokenValues(uuid, 'ci deployer v2', '60'));
    expect(errors).toBeUndefined();
    const dm = await approveToken(env, requestId!, APPROVERS[0]!, REQUESTER);
    expect(String(dm.args.text)).toMatch(/Approved by .* was changed/);
    const token = env.nextgen!.state.tokens.find((t) => t.identifier === uuid)!;
    expect(token.name).toBe('ci deployer v2');
    expect(token.validTo).toBeGreaterThan(Date.now() + 59 * DAY);
  });

  it('deletes one token, then a whole API key with its tokens', async () => {
    const { requestId: a } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.create, createTokenValues('sa_0009', 'short lived', '5'));
    await approveToken(env, a!, APPROVERS[0]!, REQUESTER);
    values.push((await clickReveal(env, REQUESTER, a!)).value!);
    const uuid = (await tokenOf(env, 'short lived')).identifier;
    const { requestId: del } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.delete, deleteTokenValues(uuid, 'token'));
    await approveToken(env, del!, APPROVERS[1]!, REQUESTER);
    expect(env.nextgen!.state.tokens.some((t) => t.identifier === uuid)).toBe(false);
    expect(env.nextgen!.state.apiKeys.some((k) => k.identifier === 'short_lived')).toBe(true);

    const keep = (await tokenOf(env, 'ci deployer v2')).identifier;
    const { requestId: whole } = await submitToken(env, REQUESTER, NEXTGEN_MODALS.delete, deleteTokenValues(keep, 'key'));
    const approval = env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0APPROVALS' && String(JSON.stringify(c.args.blocks)).includes(whole!))!;
    expect(JSON.stringify(approval.args.blocks)).toContain('the whole API key');
    const dm = await approveToken(env, whole!, APPROVERS[0]!, REQUESTER);
    expect(String(dm.args.text)).toMatch(/API key .* and every token under it were deleted/);
    expect(env.nextgen!.state.apiKeys.some((k) => k.identifier === 'ci_deployer')).toBe(false);
  });

  it('sends only requests valid against the OpenAPI file, and no token value anywhere but the reveal modal', async () => {
    expect(env.nextgen!.invalidRequests).toEqual([]);
    for (const r of env.nextgen!.requests) {
      expect(r.headers['x-api-key']).toBe(SECRETS.harnessKey);
      expect(r.headers['harness-account']).toBe('acct_TEST_123');
    }
    const everything = await everythingButTheRevealModal(env);
    const minted = values.filter(Boolean);
    expect(minted.length).toBeGreaterThanOrEqual(4);
    for (const value of minted) {
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(value.split('.')[3]!);
    }
    expect(everything).not.toContain(SECRETS.sealingKey);
    expect(dmsTo(env, REQUESTER).join('\n')).not.toMatch(/sat\./);
  });
});
