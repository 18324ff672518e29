import Redis from 'ioredis';
import { ACTIONS, CREATE_MODAL } from '../../src/slack/ids';
import { APPROVAL_CHANNEL, APPROVERS, REQUESTER, SECRETS, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { createValues, dmsTo, ephemeralsTo, readAudit, submitCreate, waitUntil, clickDecision } from '../helpers/flows';

describe('Harness failures', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(async () => {
    await env.close();
  });

  const approveAndWaitForFailure = async (name: string) => {
    const id = await submitCreate(env, REQUESTER, name, [groupId(2)]);
    const before = env.harness.mutations('createApiKey').length;
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes(id) && t.includes('did not complete')), 8000, `failure DM for ${name}`);
    const update = await waitUntil(
      () => env.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes(id) && JSON.stringify(c.args.blocks).includes('did not complete in Harness')),
      5000,
      'message update',
    );
    const events = (await readAudit(env)).filter((e) => e.requestId === id);
    // Never retried blindly: a create is not idempotent.
    expect(env.harness.mutations('createApiKey').length - before).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['requested', 'approved', 'failed']);
    return { id, dm, update: JSON.stringify(update.args.blocks), failed: events[2]! };
  };

  it('a GraphQL error (HTTP 200) becomes a plain-words DM, message and failed event', async () => {
    // The name exists in Harness already (created outside the bot).
    env.harness.keys.set('outside00000000000000x', { name: 'made-in-ui', userGroupIds: [] });
    const { dm, update, failed } = await approveAndWaitForFailure('made-in-ui');
    expect(dm).toContain('Harness refused createApiKey: Duplicate name made-in-ui');
    expect(dm).not.toContain('Exception while fetching data');
    expect(update).toContain('Duplicate name made-in-ui');
    expect(failed.detail).toBe('Harness refused createApiKey: Duplicate name made-in-ui');
  });

  it('HTTP 401 tells the operator to check the bot key, without showing it', async () => {
    env.harness.modeFor({ kind: 'status', status: 401, body: '{"errors":[{"message":"Invalid Api Key"}]}' }, 1);
    const { dm } = await approveAndWaitForFailure('key-401');
    expect(dm).toMatch(/rejected the bot's API key \(HTTP 401\).*HARNESS_API_KEY/);
    expect(dm).not.toContain(SECRETS.harnessKey);
  });

  it('a 502 HTML gateway page is reported as Harness unavailable', async () => {
    env.harness.modeFor({ kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>', contentType: 'text/html' }, 1);
    const { dm } = await approveAndWaitForFailure('key-502');
    expect(dm).toMatch(/Harness is unavailable \(HTTP 502\)/);
  });

  it('a timeout says the outcome is unknown and where to check', async () => {
    env.harness.modeFor({ kind: 'delay', ms: 2500 }, 1); // HARNESS_TIMEOUT_MS is 1500 in tests
    const { dm, failed } = await approveAndWaitForFailure('key-timeout');
    expect(dm).toMatch(/did not answer createApiKey within 1500 ms/);
    expect(dm).toMatch(/outcome is unknown/);
    expect(failed.detail).toMatch(/outcome is unknown/);
  });

  it('a failed create frees its name, and all documents sent were schema-valid', async () => {
    expect(await submitCreate(env, REQUESTER, 'key-502', [groupId(2)])).toMatch(/^req-/);
    expect(env.harness.invalidDocuments).toEqual([]);
  });
});

describe('Redis outages and restarts', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(async () => {
    await env.close();
  });

  it('survives a bot restart between request and approval', async () => {
    const id = await submitCreate(env, REQUESTER, 'survives-restart', [groupId(8)]);
    await env.restartBot();
    await clickDecision(env, APPROVERS[1]!, ACTIONS.approve, id);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('survives-restart') && t.includes('created')), 5000, 'result DM');
    expect(dm).toContain('<@U0ADMIN2>');
    // The new process still knows where the approval message is.
    const update = await waitUntil(() => env.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes(id) && JSON.stringify(c.args.blocks).includes('done in Harness')));
    expect(update.args.channel).toBe(APPROVAL_CHANNEL);
  });

  it('answers everything within 3 s while Redis is down, changes nothing, and recovers by itself', async () => {
    const id = await submitCreate(env, REQUESTER, 'outage-key', [groupId(9)]);
    const port = Number(new URL(env.sender.botUrl).port);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await env.redis.stop();
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, 5000, 'readyz 503');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    let t = Date.now();
    const cmd = await env.sender.command(REQUESTER, 'create');
    expect(Date.now() - t).toBeLessThan(3000);
    expect(cmd.status).toBe(200);
    expect((cmd.json() as { text: string }).text).toMatch(/temporarily unavailable/);

    t = Date.now();
    const submit = await env.sender.viewSubmission(REQUESTER, CREATE_MODAL.callbackId, createValues('during-outage', [groupId(9)], 'x'));
    expect(Date.now() - t).toBeLessThan(3000);
    expect((submit.json() as { errors: Record<string, string> }).errors[CREATE_MODAL.reasonBlock]).toMatch(/temporarily unavailable.*Nothing was changed/);

    t = Date.now();
    const click = await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    expect(click.status).toBe(200);
    const reply = await waitUntil(() => ephemeralsTo(env, APPROVERS[0]!).find((m) => m.includes('temporarily unavailable')), 3000, 'unavailable reply');
    expect(Date.now() - t).toBeLessThan(3000);
    expect(reply).toMatch(/Nothing was changed/);
    expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('outage-key'))).toHaveLength(0);

    // Redis comes back (empty: no persistence in tests) and the bot reconnects on its own.
    await env.redis.start();
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 10000, 'readyz 200');
    const again = await env.sender.command(REQUESTER, 'create');
    expect(again.body).toBe('');
    const recovered = await submitCreate(env, REQUESTER, 'after-outage', [groupId(9)]);
    expect(recovered).toMatch(/^req-/);
  });
});

describe('reconciler', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ env: { HARNESS_TIMEOUT_MS: '500' } });
  });
  afterAll(async () => {
    await env.close();
  });

  it('executes a request left approved by a replica that died, exactly once', async () => {
    const id = await submitCreate(env, REQUESTER, 'left-approved', [groupId(10)]);
    const redis = new Redis(env.redis.url);
    try {
      // What a replica that crashed right after the atomic approval leaves behind.
      await redis.hset(`apikey:req:${id}`, 'state', 'approved', 'approverId', APPROVERS[0]!, 'updatedAt', new Date(Date.now() - 60_000).toISOString());
      const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('left-approved') && t.includes('created')), 8000, 'reconciled DM');
      expect(dm).toContain('<@U0ADMIN1>');
      await new Promise((r) => setTimeout(r, 1200)); // two more reconciler passes
      expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('left-approved'))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  /** What a replica that crashed while executing leaves behind: `executing`, no heartbeat for a while. */
  const leaveExecuting = async (id: string, harnessCalled: boolean) => {
    const redis = new Redis(env.redis.url);
    try {
      const long = new Date(Date.now() - 120_000).toISOString();
      await redis.hset(`apikey:req:${id}`, 'state', 'executing', 'approverId', APPROVERS[0]!, 'updatedAt', long, ...(harnessCalled ? ['harnessCalledAt', long] : []));
    } finally {
      redis.disconnect();
    }
  };
  const creates = (name: string) => env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes(name)).length;

  it('a request nobody decides on expires: its name is freed, the message and the requester say so', async () => {
    const id = await submitCreate(env, REQUESTER, 'forgotten-request', [groupId(11)]);
    const redis = new Redis(env.redis.url);
    try {
      await redis.hset(`apikey:req:${id}`, 'updatedAt', new Date(Date.now() - 8 * 86_400_000).toISOString());
    } finally {
      redis.disconnect();
    }
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes(id) && t.includes('expired')), 8000, 'expiry DM');
    expect(dm).toMatch(/Nothing changed in Harness/);
    await waitUntil(() => env.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes(id) && JSON.stringify(c.args.blocks).includes('Expired without a decision')), 5000, 'message update');
    expect((await readAudit(env)).filter((e) => e.requestId === id).map((e) => [e.event, e.actorId])).toEqual([
      ['requested', REQUESTER],
      ['expired', 'system'],
    ]);
    expect(await submitCreate(env, REQUESTER, 'forgotten-request', [groupId(11)])).toMatch(/^req-/);
  });

  it('a request that crashed before Harness was ever called is simply executed, once', async () => {
    const id = await submitCreate(env, REQUESTER, 'never-called', [groupId(10)]);
    await leaveExecuting(id, false);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('never-called') && t.includes('created')), 8000, 'result DM');
    expect(dm).toContain('<@U0ADMIN1>');
    await new Promise((r) => setTimeout(r, 1200)); // more reconciler passes
    expect(creates('never-called')).toBe(1);
  });

  it('a create that reached Harness before the crash is found by its "Duplicate name": done, its uuid unknown, and said so', async () => {
    const id = await submitCreate(env, REQUESTER, 'landed-before-crash', [groupId(10)]);
    env.harness.keys.set('landed0000000000000000', { name: 'landed-before-crash', userGroupIds: [groupId(10)] });
    await leaveExecuting(id, true);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('landed-before-crash') && t.includes('Approved by')), 8000, 'result DM');
    expect(dm).toMatch(/uuid is unknown to the bot/);
    expect([...env.harness.keys.values()].filter((k) => k.name === 'landed-before-crash')).toHaveLength(1);
    const events = (await readAudit(env)).filter((e) => e.requestId === id).map((e) => [e.event, e.actorId]);
    expect(events).toEqual([
      ['requested', REQUESTER],
      ['executed', APPROVERS[0]],
    ]);
  });

  it('a create that never reached Harness despite the mark is made now', async () => {
    const id = await submitCreate(env, REQUESTER, 'lost-on-the-way', [groupId(10)]);
    await leaveExecuting(id, true);
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('lost-on-the-way') && t.includes('created')), 8000, 'result DM');
    expect(dm).toMatch(/had not happened/);
    expect(creates('lost-on-the-way')).toBe(1);
  });
});

describe('a slow Harness', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ env: { HARNESS_TIMEOUT_MS: '5000' } });
  });
  afterAll(async () => {
    await env.close();
  });

  it('shows "sending to Harness…" while it waits, then the outcome, in that order', async () => {
    const id = await submitCreate(env, REQUESTER, 'slow-harness', [groupId(2)]);
    env.harness.modeFor({ kind: 'delay', ms: 2200 }, 1);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('slow-harness') && t.includes('created')), 8000, 'result DM');
    const updates = env.slack
      .callsTo('chat.update')
      .filter((c) => JSON.stringify(c.args.blocks).includes(id))
      .map((c) => String(c.args.text).split(': ').at(-1));
    expect(updates).toEqual(['approved', 'done']);
  });

  it('with a fast Harness, updates the approval message once, with the outcome', async () => {
    const id = await submitCreate(env, REQUESTER, 'fast-harness', [groupId(2)]);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('fast-harness') && t.includes('created')), 8000, 'result DM');
    const updates = env.slack.callsTo('chat.update').filter((c) => JSON.stringify(c.args.blocks).includes(id));
    expect(updates.map((c) => String(c.args.text).split(': ').at(-1))).toEqual(['done']);
  });
});

describe('Harness unreachable before the user groups were ever loaded', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(async () => {
    await env.close();
  });

  it('says the groups cannot be checked instead of calling every group unknown, and stores nothing', async () => {
    env.harness.mode = { kind: 'status', status: 503, body: '<html>down</html>', contentType: 'text/html' };
    const picker = await env.sender.options(REQUESTER, CREATE_MODAL.groupsAction, CREATE_MODAL.groupsBlock, '');
    // The picker says why it is empty, rather than looking like an account without groups.
    const options = (picker.json() as { options: { text: { text: string }; value: string }[] }).options;
    expect(options).toHaveLength(1);
    expect(options[0]!.text.text).toMatch(/user groups could not be loaded/);
    const res = await env.sender.viewSubmission(REQUESTER, CREATE_MODAL.callbackId, createValues('no-groups-yet', [groupId(1)], 'x'));
    const errors = (res.json() as { errors: Record<string, string> }).errors;
    expect(Object.values(errors).join(' ')).toMatch(/user groups could not be loaded.*Nothing was submitted/);
    expect(Object.values(errors).join(' ')).not.toMatch(/Not a user group/);
    expect(await readAudit(env)).toEqual([]);
    env.harness.mode = { kind: 'normal' };
  });
});
