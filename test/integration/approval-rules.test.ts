import Redis from 'ioredis';
import { ACTIONS, CREATE_MODAL, DENY_MODAL } from '../../src/slack/ids';
import { APPROVERS, REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { createValues, dmsTo, ephemeralsTo, readAudit, submitCreate, waitUntil, warmGroups, clickDecision } from '../helpers/flows';
import { sign } from '../../src/simulators/slack/requests';

describe('who may decide, and how often', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ env: { APPROVER_USER_IDS: [...APPROVERS, REQUESTER].join(',') } });
  });
  afterAll(async () => {
    await env.close();
  });

  it('refuses a non-approver with an ephemeral reply, audits the attempt, and changes nothing', async () => {
    const id = await submitCreate(env, REQUESTER, 'nonapprover-key', [groupId(3)]);
    const res = await clickDecision(env, 'U0RANDOM', ACTIONS.approve, id);
    expect(res.status).toBe(200);
    const reply = await waitUntil(() => ephemeralsTo(env, 'U0RANDOM')[0], 5000, 'refusal');
    expect(reply).toMatch(/Only configured API key approvers/);
    const events = (await readAudit(env)).filter((e) => e.requestId === id);
    expect(events.map((e) => e.event)).toEqual(['requested', 'refused']);
    expect(events[1]).toMatchObject({ actorId: 'U0RANDOM', detail: 'approve: NOT_APPROVER' });
    expect(env.harness.mutations('createApiKey')).toHaveLength(0);
  });

  it('never lets the requester approve their own request, even when they are an approver', async () => {
    const id = await submitCreate(env, REQUESTER, 'self-approved-key', [groupId(3)]);
    await clickDecision(env, REQUESTER, ACTIONS.approve, id);
    const reply = await waitUntil(() => ephemeralsTo(env, REQUESTER).find((t) => t.includes('own request')), 5000, 'self refusal');
    expect(reply).toMatch(/four-eyes/);
    const redis = new Redis(env.redis.url);
    try {
      expect(await redis.hget(`apikey:req:${id}`, 'state')).toBe('pending');
    } finally {
      redis.disconnect();
    }
    expect(env.harness.mutations('createApiKey')).toHaveLength(0);
  });

  it('ten concurrent clicks by two admins on two replicas call Harness once', async () => {
    const replica = await env.startReplica();
    const id = await submitCreate(env, REQUESTER, 'contended-key', [groupId(4)]);
    const before = env.harness.mutations('createApiKey').length;
    const clicks = Array.from({ length: 10 }, (_, i) =>
      clickDecision(env, APPROVERS[i % 2]!, ACTIONS.approve, id, i % 2 === 0 ? env.sender : replica.sender),
    );
    const responses = await Promise.all(clicks);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await waitUntil(() => dmsTo(env, REQUESTER).some((t) => t.includes('contended-key') && t.includes('created')), 5000, 'result DM');
    // Let any straggler finish before counting.
    await waitUntil(() => ephemeralsTo(env, APPROVERS[0]!).length + ephemeralsTo(env, APPROVERS[1]!).length >= 9 || undefined, 5000, 'losers told');
    expect(env.harness.mutations('createApiKey').length - before).toBe(1);
    const events = (await readAudit(env)).filter((e) => e.requestId === id).map((e) => e.event);
    expect(events).toEqual(['requested', 'approved', 'executed']);
    const losers = [...ephemeralsTo(env, APPROVERS[0]!), ...ephemeralsTo(env, APPROVERS[1]!)].filter((t) => t.includes(id));
    expect(losers.length).toBe(9);
    for (const text of losers) expect(text).toMatch(/already decided/);
  });

  it('a click on a decided request says so and does nothing', async () => {
    const id = await submitCreate(env, REQUESTER, 'decided-key', [groupId(5)]);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    await waitUntil(() => dmsTo(env, REQUESTER).some((t) => t.includes('decided-key') && t.includes('created')), 5000, 'done');
    const count = env.harness.mutations('createApiKey').length;
    await clickDecision(env, APPROVERS[1]!, ACTIONS.deny, id);
    const reply = await waitUntil(() => ephemeralsTo(env, APPROVERS[1]!).find((t) => t.includes(id)), 5000, 'already decided');
    expect(reply).toContain('already decided (done by <@U0ADMIN1>)');
    expect(env.harness.mutations('createApiKey').length).toBe(count);
  });

  it('deny asks for a reason, then closes the request and DMs the requester', async () => {
    const id = await submitCreate(env, REQUESTER, 'denied-key', [groupId(6)]);
    await clickDecision(env, APPROVERS[1]!, ACTIONS.deny, id);
    const open = await env.slack.waitFor((c) => c.method === 'views.open' && (c.args.view as { callback_id: string }).callback_id === DENY_MODAL.callbackId);
    const view = open.args.view as { private_metadata: string };
    expect(view.private_metadata).toBe(id);
    const viewId = (open.result?.view as { id: string }).id;

    const res = await env.sender.viewSubmission(
      APPROVERS[1]!,
      DENY_MODAL.callbackId,
      { [DENY_MODAL.reasonBlock]: { [DENY_MODAL.reasonAction]: { type: 'plain_text_input', value: 'Use the shared CI key' } } },
      id,
      viewId,
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes(id) && t.includes('was denied')), 5000, 'deny DM');
    expect(dm).toContain('Use the shared CI key');
    const update = await waitUntil(() => env.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes('Denied') && JSON.stringify(c.args.blocks).includes(id)), 5000, 'message update');
    expect(JSON.stringify(update.args.blocks)).not.toContain(ACTIONS.approve);
    const events = (await readAudit(env)).filter((e) => e.requestId === id);
    expect(events.map((e) => e.event)).toEqual(['requested', 'denied']);
    expect(events[1]).toMatchObject({ actorId: APPROVERS[1], detail: 'Use the shared CI key' });
    expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('denied-key'))).toHaveLength(0);
    // The name is free again once the request is closed.
    const again = await submitCreate(env, REQUESTER, 'denied-key', [groupId(6)]);
    expect(again).not.toBe(id);
  });

  it('re-checks the deny on submission: a non-approver forging the modal gets an inline error', async () => {
    const id = await submitCreate(env, REQUESTER, 'forged-deny', [groupId(6)]);
    const res = await env.sender.viewSubmission('U0RANDOM', DENY_MODAL.callbackId, {}, id);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_action: 'errors', errors: { [DENY_MODAL.reasonBlock]: expect.stringMatching(/Only configured API key approvers/) } });
  });

  it('rejects a wrong or stale signature with 401 and does nothing', async () => {
    await new Promise((r) => setTimeout(r, 300)); // let earlier tests' notifications settle
    const before = env.slack.calls.length;
    const body = env.sender.buttonBody(APPROVERS[0]!, ACTIONS.approve, 'req-anything');
    const wrong = await env.sender.send(body, sign('not-the-secret', body));
    expect(wrong.status).toBe(401);
    const stale = await env.sender.send(body, sign(env.config.slack.signingSecret!, body, Math.floor(Date.now() / 1000) - 600));
    expect(stale.status).toBe(401);
    const cmd = env.sender.commandBody(REQUESTER, 'create');
    const tampered = await env.sender.send(cmd.replace('create', 'delete'), sign(env.config.slack.signingSecret!, cmd));
    expect(tampered.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(env.slack.calls.length).toBe(before);
  });
});

describe('create modal validation', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment();
    await warmGroups(env, REQUESTER);
  });
  afterAll(async () => {
    await env.close();
  });

  const submit = async (name: string, groups: string[], reason = 'because') => {
    const res = await env.sender.viewSubmission(REQUESTER, CREATE_MODAL.callbackId, createValues(name, groups, reason));
    expect(res.status).toBe(200);
    return res.body === '' ? undefined : (res.json() as { response_action: string; errors: Record<string, string> });
  };

  it.each([
    ['blank', '   ', /Enter a name/],
    ['leading space', ' key', /spaces at the start or end/],
    ['trailing space', 'key ', /spaces at the start or end/],
    ['line break', 'a\nb', /line breaks/],
    ['tab', 'a\tb', /control characters/],
    ['129 characters', 'k'.repeat(129), /at most 128/],
  ])('refuses a %s name inline', async (_label, name, message) => {
    const reply = await submit(name, [groupId(1)]);
    expect(reply?.response_action).toBe('errors');
    expect(reply?.errors[CREATE_MODAL.nameBlock]).toMatch(message);
  });

  it('accepts a 128-character name', async () => {
    expect(await submit('k'.repeat(128), [groupId(1)])).toBeUndefined();
  });

  it('refuses a name the bot already knows, and reports every problem at once', async () => {
    expect(await submit('known-key', [groupId(1)])).toBeUndefined();
    const reply = await submit('known-key', [], '   ');
    expect(reply?.errors).toEqual({
      [CREATE_MODAL.nameBlock]: expect.stringMatching(/already exists or is already requested/),
      [CREATE_MODAL.groupsBlock]: expect.stringMatching(/at least one user group/),
      [CREATE_MODAL.reasonBlock]: expect.stringMatching(/why the key is needed/),
    });
  });

  it('refuses a taken name on an otherwise valid form inline, from the store\'s own check, and stores nothing', async () => {
    expect(await submit('taken-key', [groupId(1)])).toBeUndefined();
    const before = (await readAudit(env)).length;
    const reply = await submit('taken-key', [groupId(2)]);
    expect(reply).toEqual({
      response_action: 'errors',
      errors: { [CREATE_MODAL.nameBlock]: 'A key named "taken-key" already exists or is already requested. Choose another name.' },
    });
    expect((await readAudit(env)).length).toBe(before);
  });

  it('refuses a group id that is not in the account', async () => {
    const reply = await submit('ghost-groups', [groupId(1), 'ZZZZZZZZZZZZZZZZZZZZZZ']);
    expect(reply?.errors[CREATE_MODAL.groupsBlock]).toMatch(/Not a user group in this Harness account: ZZZZZZZZZZZZZZZZZZZZZZ/);
  });

  it('stores nothing for a refused submission', async () => {
    const before = (await readAudit(env)).length;
    await submit(' bad', [groupId(1)]);
    expect((await readAudit(env)).length).toBe(before);
  });
});
