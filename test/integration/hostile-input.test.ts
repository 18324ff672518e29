import Redis from 'ioredis';
import { sign } from '../../src/simulators/slack/requests';
import { ACTIONS, CREATE_MODAL, DENY_MODAL, FIELDS } from '../../src/slack/ids';
import { groupId } from '../../src/simulators/harness-firstgen';
import { APPROVERS, REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { approvalMessageOf, clickDecision, createValues, ephemeralsTo, readAudit, submitCreate, submitModal, waitUntil } from '../helpers/flows';

/** What a compromised or buggy sender with the real signing secret can send, and what it gets. */
describe('hostile input', () => {
  let env: Environment;
  const secret = () => env.config.slack.signingSecret!;
  const post = async (body: string, contentType: string, headers = sign(secret(), body)) => {
    const res = await fetch(`${env.sender.botUrl}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    return { status: res.status, body: await res.text() };
  };
  const alive = async () => (await fetch(`${env.sender.botUrl}/healthz`)).status === 200;
  const requestCount = async () => {
    const redis = new Redis(env.redis.url);
    try {
      return await redis.zcard('apikey:open-requests');
    } finally {
      redis.disconnect();
    }
  };
  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(async () => {
    await env.close();
  });

  it('a signed JSON null, a form payload=null and other non-objects get 400, and the process lives', async () => {
    expect(await post('null', 'application/json')).toEqual({ status: 400, body: '' });
    expect(await post('payload=null', 'application/x-www-form-urlencoded')).toEqual({ status: 400, body: '' });
    expect((await post('[1,2]', 'application/json')).status).toBe(400);
    expect((await post('payload=%22text%22', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post('payload={not json', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect(await alive()).toBe(true);
  });

  it('malformed envelopes get no 5xx and change nothing', async () => {
    const before = await requestCount();
    const shapes: Record<string, unknown>[] = [
      { type: 'block_actions', user: null, actions: [{ action_id: ACTIONS.approve, value: 'x' }] },
      { type: 'block_actions', user: { id: APPROVERS[0] }, actions: null },
      { type: 'block_actions', user: { id: APPROVERS[0] }, actions: [null] },
      { type: 'view_submission', user: { id: REQUESTER }, view: null },
      { type: 'view_submission', user: { id: REQUESTER }, view: { id: 'V1', callback_id: CREATE_MODAL.callbackId } },
      { type: 'block_suggestion', user: { id: REQUESTER }, action_id: FIELDS.groupsAction, value: null },
      { type: 'block_actions', user: { id: APPROVERS[0] }, team: { id: '__proto__' }, actions: [{ action_id: ACTIONS.approve, value: 'open' }] },
      { type: 'block_actions', user: { id: APPROVERS[0] }, team: { id: 'constructor' }, authorizations: [null], actions: [] },
    ];
    for (const shape of shapes) {
      const res = await env.sender.interactive(shape);
      expect(res.status).toBeLessThan(500);
    }
    const events = await post(JSON.stringify({ type: 'event_callback', team_id: 'toString', event: 'not an object' }), 'application/json');
    expect(events.status).toBeLessThan(500);
    expect(await alive()).toBe(true);
    expect(await requestCount()).toBe(before);
  });

  it('a replayed submission or click is answered 200 and acted on once; a future timestamp is refused', async () => {
    const body = env.sender.interactiveBody({
      type: 'view_submission',
      user: { id: REQUESTER, username: 'dev', team_id: 'T1' },
      view: { id: 'V9', type: 'modal', callback_id: CREATE_MODAL.callbackId, private_metadata: '', state: { values: createValues('replayed-key', [groupId(3)], 'why') } },
    });
    const headers = sign(secret(), body);
    await env.sender.options(REQUESTER, FIELDS.groupsAction, FIELDS.groupsBlock, '');
    const before = await requestCount();
    expect((await env.sender.send(body, headers)).status).toBe(200);
    expect(await env.sender.send(body, headers)).toMatchObject({ status: 200, body: '' });
    expect(await requestCount()).toBe(before + 1);
    const future = sign(secret(), body, Math.floor(Date.now() / 1000) + 600);
    expect((await env.sender.send(body, future)).status).toBe(401);
    // A type-ahead load repeated byte for byte still gets its options (it changes nothing).
    const load = env.sender.optionsBody(REQUESTER, FIELDS.groupsAction, FIELDS.groupsBlock, 'team');
    const loadHeaders = sign(secret(), load);
    for (let i = 0; i < 2; i++) expect(((await env.sender.send(load, loadHeaders)).json() as { options: unknown[] }).options.length).toBeGreaterThan(0);
    // The same bytes on a path Bolt normalises to /slack/events are the same replay.
    for (const path of ['/./slack/events', '/x/../slack/events']) {
      const res = await fetch(`${env.sender.botUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
      expect(res.status).toBe(200);
    }
    expect(await requestCount()).toBe(before + 1);
    // A signature header of the right length with a non-ASCII byte is a bad signature (401), not a 500.
    const odd = { ...headers, 'x-slack-signature': `v0=${'é'.repeat(32)}${'0'.repeat(32)}` };
    expect((await env.sender.send(body, odd)).status).toBe(401);
  });

  it('subcommands that are Object.prototype names are just unknown subcommands', async () => {
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await env.sender.command(REQUESTER, word);
      expect(res.status).toBe(200);
      expect((res.json() as { text: string }).text).toMatch(/^Unknown subcommand/);
    }
  });

  it('input errors are input errors, never "temporarily unavailable"', async () => {
    const since = await env.sender.command(APPROVERS[0]!, 'audit --since 1969-12-31');
    expect((since.json() as { text: string }).text).toMatch(/between 1970 and now/);
    const later = await env.sender.command(APPROVERS[0]!, 'audit --since 2999-01-01');
    expect((later.json() as { text: string }).text).toMatch(/between 1970 and now/);
    for (const id of ['open', 'by-user:U0DEV', '../../etc', 'x'.repeat(5000)]) {
      await env.sender.button(APPROVERS[0]!, ACTIONS.approve, id);
    }
    await waitUntil(() => ephemeralsTo(env, APPROVERS[0]!).filter((t) => t.includes('does not belong to a request')).length >= 4, 5000, 'refusals');
    const said = ephemeralsTo(env, APPROVERS[0]!).join('\n');
    expect(said).not.toMatch(/temporarily unavailable/);
    expect(said).not.toContain('x'.repeat(100));
  });

  it('names with invisible or direction-changing characters, and lone surrogates, are refused inline', async () => {
    await env.sender.options(REQUESTER, FIELDS.groupsAction, FIELDS.groupsBlock, '');
    for (const name of ['fz\u202Eyek-dorp', 'a\u200Db', 'x\uFEFF', 'tag\u{E0041}', 'half\uD800', 'line\u2028sep']) {
      const res = await env.sender.viewSubmission(REQUESTER, CREATE_MODAL.callbackId, createValues(name, [groupId(1)], 'why'));
      expect((res.json() as { errors: Record<string, string> }).errors[CREATE_MODAL.nameBlock]).toMatch(/invisible or direction-changing/);
    }
    const reason = await env.sender.viewSubmission(REQUESTER, CREATE_MODAL.callbackId, createValues('fine-name', [groupId(1)], 'because\uD800'));
    expect((reason.json() as { errors: Record<string, string> }).errors[CREATE_MODAL.reasonBlock]).toMatch(/invisible/);
  });

  it('a picked key must be a key the bot knows; a 100 KB deny reason is refused inline', async () => {
    const picked = await submitModal(env, REQUESTER, 'apikey_delete', {
      [FIELDS.keyBlock]: { [FIELDS.keyAction]: { type: 'external_select', selected_option: { value: '../not a uuid' } } },
      [FIELDS.reasonBlock]: { [FIELDS.reasonAction]: { type: 'plain_text_input', value: 'x' } },
      [FIELDS.confirmBlock]: { [FIELDS.confirmAction]: { type: 'checkboxes', selected_options: [{ value: 'confirmed' }] } },
    });
    expect(picked.errors?.[FIELDS.keyBlock]).toMatch(/Pick a key from the list/);
    const id = await submitCreate(env, REQUESTER, 'long-deny', [groupId(2)]);
    const res = await env.sender.viewSubmission(APPROVERS[0]!, DENY_MODAL.callbackId, { [DENY_MODAL.reasonBlock]: { [DENY_MODAL.reasonAction]: { type: 'plain_text_input', value: 'r'.repeat(100_000) } } }, id);
    expect((res.json() as { errors: Record<string, string> }).errors[DENY_MODAL.reasonBlock]).toMatch(/under 1000 characters/);
  });

  it('a forged user id is dropped: nothing stored, mentioned or indexed', async () => {
    const before = (await readAudit(env)).length;
    const forged = 'U0X> <!channel';
    await env.sender.command(forged, 'audit');
    await env.sender.button(forged, ACTIONS.approve, 'req-00000000-0000-0000-0000-000000000000');
    await new Promise((r) => setTimeout(r, 300));
    expect((await readAudit(env)).length).toBe(before);
    expect(JSON.stringify(env.slack.calls.map((c) => c.args))).not.toContain('<!channel');
  });

  it('a decision only counts from the request\'s own approval message', async () => {
    const id = await submitCreate(env, REQUESTER, 'elsewhere', [groupId(4)]);
    const at = (await approvalMessageOf(env, id))!;
    await env.sender.button(APPROVERS[0]!, ACTIONS.approve, id, 'C0OTHER', at.ts);
    await env.sender.button(APPROVERS[0]!, ACTIONS.approve, id, at.channelId, '1700000000.999999');
    await waitUntil(() => ephemeralsTo(env, APPROVERS[0]!).filter((t) => t.includes('from its message in the approvals channel')).length >= 2, 5000, 'wrong-place refusals');
    expect(env.harness.mutations('createApiKey').filter((r) => JSON.stringify(r.variables).includes('elsewhere'))).toHaveLength(0);
    await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, id);
    await waitUntil(() => env.harness.mutations('createApiKey').some((r) => JSON.stringify(r.variables).includes('elsewhere')), 5000, 'approved from the message');
  });

  it('repeated refusals by one person on one request are audited once, and mirrored at most a few times an hour', async () => {
    const id = await submitCreate(env, REQUESTER, 'pestered', [groupId(5)]);
    for (let i = 0; i < 20; i++) await clickDecision(env, 'U0PEST', ACTIONS.approve, id);
    await waitUntil(() => ephemeralsTo(env, 'U0PEST').length >= 20, 8000, 'every click answered');
    const refused = (await readAudit(env)).filter((e) => e.requestId === id && e.event === 'refused');
    expect(refused).toHaveLength(1);
    // Other requests: one entry each, but the audit channel hears of this person only five times an hour.
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await submitCreate(env, REQUESTER, `pestered-${i}`, [groupId(5)]));
    for (const other of ids) await clickDecision(env, 'U0PEST', ACTIONS.approve, other);
    await waitUntil(async () => (await readAudit(env)).filter((e) => e.actorId === 'U0PEST').length >= 8, 8000, 'refusals audited');
    await new Promise((r) => setTimeout(r, 700)); // let the outbox deliver
    const mirrored = env.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0AUDIT' && String(c.args.text).includes('*refused*') && String(c.args.text).includes('U0PEST'));
    expect(mirrored).toHaveLength(5);
  });
});
