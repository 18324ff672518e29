import { ACTIONS, APPROVAL_MESSAGE, CREATE_MODAL, DENY_MODAL, FIELDS, UPDATE_MODAL } from '../../src/slack/ids';
import { groupId } from '../../src/simulators/harness-firstgen';
import { escapeCommandText } from '../../src/simulators/slack/payloads';
import { startSandboxEnvironment, type PageMessage, type PageState, type SandboxEnvironment } from '../browser/sandbox-environment';

/**
 * The real bot driven through the Slack sandbox's page endpoints, the way the page's JavaScript
 * drives them: slash command, modal, type-ahead, inline errors, approval, DMs, audit.
 */
const [DEV, ADMIN1, ADMIN2, OTHER] = ['U0DEV', 'U0ADMIN1', 'U0ADMIN2', 'U0OTHER'];
const blocksText = (m: PageMessage) => JSON.stringify(m.blocks ?? []) + m.text;
const approvalFor = (name: string) => (s: PageState) =>
  s.conversations.find((c) => c.name === 'apikey-approvals')?.messages.find((m) => blocksText(m).includes(name));

describe('Slack sandbox: the real bot through the page endpoints', () => {
  let env: SandboxEnvironment;
  beforeAll(async () => {
    env = await startSandboxEnvironment();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('serves the page, marked sandbox, with a strict content security policy', async () => {
    const res = await fetch(env.sandbox.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('SANDBOX');
    for (const file of ['app.js', 'blocks.js', 'messages.js', 'mrkdwn.js', 'modal.js', 'picker.js', 'style.css']) {
      expect((await fetch(`${env.sandbox.url}/page/${file}`)).status).toBe(200);
    }
  });

  it('creates a key: command, modal, type-ahead, inline error, fix, approval, DM, audit', async () => {
    const dev = env.as(DEV);
    const command = await dev.post('command', { channel: 'C0GENERAL', text: '/apikey create' });
    expect(command.body).toMatchObject({ ok: true, status: 200 });
    const modal = await dev.waitFor((s) => s.modal?.view.callback_id === CREATE_MODAL.callbackId && s.modal, 'the create modal');
    expect(modal.view.title?.text).toBe('New Harness API key');
    expect(env.sandbox.callsTo('views.open')[0]?.token).toBe(env.sandbox.botToken);

    // Type-ahead: the bot's min_query_length is 0, so even "" asks; "team-024" narrows it.
    const all = await dev.post<{ options: { value: string }[] }>('suggest', { view_id: modal.id, block_id: CREATE_MODAL.groupsBlock, action_id: CREATE_MODAL.groupsAction, value: '' });
    expect(all.body.options).toHaveLength(100);
    const some = await dev.post<{ options: { text: { text: string }; value: string }[] }>('suggest', {
      view_id: modal.id, block_id: CREATE_MODAL.groupsBlock, action_id: CREATE_MODAL.groupsAction, value: 'team-024',
    });
    expect(some.body.options.map((o) => o.text.text)).toContain('team-0241');
    const pick = some.body.options.find((o) => o.text.text === 'team-0241')!;

    // Slack's client checks required fields itself: the bot never sees this submission.
    const before = env.sandbox.total;
    const empty = await dev.post<{ errors: Record<string, string> }>('submit', { view_id: modal.id, values: {} });
    expect(Object.keys(empty.body.errors).sort()).toEqual([CREATE_MODAL.groupsBlock, CREATE_MODAL.nameBlock, CREATE_MODAL.reasonBlock].sort());
    expect(env.sandbox.total).toBe(before);

    // The bot's own check: the inline error lands under the name input, the modal stays open.
    const values = (name: string) => ({
      [CREATE_MODAL.nameBlock]: { [CREATE_MODAL.nameAction]: { value: name } },
      [CREATE_MODAL.groupsBlock]: { [CREATE_MODAL.groupsAction]: { options: [{ value: pick.value, text: 'team-0241' }] } },
      [CREATE_MODAL.reasonBlock]: { [CREATE_MODAL.reasonAction]: { value: 'Deploys from CI' } },
    });
    const bad = await dev.post<{ errors: Record<string, string> }>('submit', { view_id: modal.id, values: values(' ci-deployer ') });
    expect(bad.body.errors[CREATE_MODAL.nameBlock]).toMatch(/spaces at the start or end/);
    const shown = await dev.state();
    expect(shown.modal?.errors[CREATE_MODAL.nameBlock]).toMatch(/spaces/);
    expect(shown.modal?.values[CREATE_MODAL.groupsBlock]?.[CREATE_MODAL.groupsAction]).toEqual({
      type: 'multi_external_select',
      selected_options: [{ text: { type: 'plain_text', text: 'team-0241' }, value: groupId(241) }],
    });

    const good = await dev.post('submit', { view_id: modal.id, values: values('ci-deployer') });
    expect(good.body).toMatchObject({ ok: true, status: 200 });
    expect((await dev.state()).modal).toBeNull();

    // Approver 1 sees the request with its buttons and approves it.
    const admin = env.as(ADMIN1);
    const request = await admin.waitFor(approvalFor('ci-deployer'), 'the approval message');
    expect(blocksText(request)).toContain('team-0241');
    const approve = request.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.approve)!;
    expect(approve.value).toMatch(/^req-/);
    const click = await admin.post('action', { channel: 'C0APPROVALS', ts: request.ts, block_id: APPROVAL_MESSAGE.actionsBlock, action_id: ACTIONS.approve });
    expect(click.body).toMatchObject({ ok: true, status: 200 });
    const done = await admin.waitFor((s) => {
      const m = approvalFor('ci-deployer')(s);
      return m && m.edited && /done/i.test(blocksText(m)) && m;
    }, 'the approval message updated');
    expect(done.ts).toBe(request.ts);
    expect(done.blocks!.some((b) => b.block_id === APPROVAL_MESSAGE.actionsBlock)).toBe(false);

    // The requester's DM: the pending note, then the result with the key's uuid.
    const uuid = [...env.harness.keys.entries()].find(([, k]) => k.name === 'ci-deployer')![0];
    const dm = await dev.waitFor((s) => s.conversations.find((c) => c.kind === 'im' && c.messages.some((m) => m.text.includes(uuid))), 'the result DM');
    expect(dm.readOnly).toBe(true);
    expect(dm.messages.map((m) => m.text).join('\n')).toMatch(/waiting for an approver[\s\S]*Approved by <@U0ADMIN1>/);
    // Nobody else sees that DM.
    expect((await admin.state()).conversations.filter((c) => c.kind === 'im').map((c) => c.id)).toEqual(['D0ADMIN1']);

    // The audit channel threads every event of the request under its first line.
    const audit = await admin.waitFor((s) => {
      const root = s.conversations.find((c) => c.name === 'apikey-audit')?.messages[0];
      return root && root.replies && root.replies.some((r) => r.text.includes('*executed*')) && root;
    }, 'the audit thread');
    expect(audit.text).toContain('*requested*');

    // /apikey audit: an ephemeral answer, only for the approver who asked.
    await admin.post('command', { channel: 'C0GENERAL', text: '/apikey audit ci-deployer' });
    const answer = await admin.waitFor((s) => s.conversations.find((c) => c.name === 'general')?.messages.find((m) => m.ephemeral && blocksText(m).includes('Audit trail')), 'the audit page');
    expect(blocksText(answer)).toContain('executed');
    expect((await dev.state()).conversations.find((c) => c.name === 'general')?.messages.some((m) => blocksText(m).includes('Audit trail'))).toBe(false);
    // Nothing the bot sent broke a Slack rule.
    expect((await dev.state()).problems).toEqual([]);
  });

  it('denies through the deny modal opened from the button (trigger_id of the click), and refuses someone else', async () => {
    const dev = env.as(DEV);
    await dev.post('command', { channel: 'C0GENERAL', text: '/apikey create' });
    const modal = await dev.waitFor((s) => s.modal, 'the create modal');
    await dev.post('submit', {
      view_id: modal.id,
      values: {
        [CREATE_MODAL.nameBlock]: { [CREATE_MODAL.nameAction]: { value: 'to-deny' } },
        [CREATE_MODAL.groupsBlock]: { [CREATE_MODAL.groupsAction]: { options: [{ value: groupId(3), text: 'team-0003' }] } },
        [CREATE_MODAL.reasonBlock]: { [CREATE_MODAL.reasonAction]: { value: 'try' } },
      },
    });
    const other = env.as(OTHER);
    const request = await other.waitFor(approvalFor('to-deny'), 'the approval message');
    await other.post('action', { channel: 'C0APPROVALS', ts: request.ts, block_id: APPROVAL_MESSAGE.actionsBlock, action_id: ACTIONS.approve });
    const refusal = await other.waitFor((s) => s.conversations.find((c) => c.name === 'apikey-approvals')?.messages.find((m) => m.ephemeral), 'the refusal');
    expect(refusal.text).toMatch(/approver/i);

    const admin = env.as(ADMIN2);
    await admin.post('action', { channel: 'C0APPROVALS', ts: request.ts, block_id: APPROVAL_MESSAGE.actionsBlock, action_id: ACTIONS.deny });
    const deny = await admin.waitFor((s) => s.modal?.view.callback_id === DENY_MODAL.callbackId && s.modal, 'the deny modal');
    await admin.post('submit', { view_id: deny.id, values: { [DENY_MODAL.reasonBlock]: { [DENY_MODAL.reasonAction]: { value: 'not <!channel> now' } } } });
    const denied = await admin.waitFor((s) => {
      const m = approvalFor('to-deny')(s);
      return m && blocksText(m).includes('Denied') && m;
    }, 'the denied message');
    expect(blocksText(denied)).toContain('not &lt;!channel&gt; now');
    await dev.waitFor((s) => s.conversations.find((c) => c.kind === 'im')?.messages.some((m) => m.text.includes('was denied')), 'the denied DM');
  });

  it('update: picking a key (dispatch_action) makes the bot redraw the modal with views.update and its hash', async () => {
    const dev = env.as(DEV);
    await dev.post('command', { channel: 'C0GENERAL', text: '/apikey update' });
    const modal = await dev.waitFor((s) => s.modal?.view.callback_id === UPDATE_MODAL.callbackId && s.modal, 'the update modal');
    const keys = await dev.post<{ options: { text: { text: string }; value: string }[] }>('suggest', { view_id: modal.id, block_id: FIELDS.keyBlock, action_id: FIELDS.keyAction, value: 'ci-' });
    const key = keys.body.options.find((o) => o.text.text.startsWith('ci-deployer'))!;
    await dev.post('action', { view_id: modal.id, block_id: FIELDS.keyBlock, action_id: FIELDS.keyAction, option: { value: key.value } });
    const redrawn = await dev.waitFor((s) => s.modal && s.modal.hash !== modal.hash && s.modal, 'the redrawn modal');
    expect(redrawn.id).toBe(modal.id);
    // The prefilled name lives in a renamed block; the picked key is kept in its unchanged block.
    expect(redrawn.values[`${FIELDS.nameBlock}.${key.value}`]?.[FIELDS.nameAction]).toEqual({ type: 'plain_text_input', value: 'ci-deployer' });
    expect(redrawn.values[FIELDS.keyBlock]?.[FIELDS.keyAction]).toMatchObject({ selected_option: { value: key.value } });
    await dev.post('close', { view_id: modal.id });
    expect((await dev.state()).modal).toBeNull();
  });

  it('response_url: replace_original, ephemeral by default, five uses at most', async () => {
    const ws = env.sandbox.workspace;
    const original = ws.post({ channel: 'C0GENERAL', user: 'UBOT', text: 'page 1', ephemeralFor: ADMIN1 });
    const url = ws.issueResponseUrl({ user: ADMIN1, channel: 'C0GENERAL', messageTs: original.ts });
    const respond = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await respond({ replace_original: true, text: 'page 2' })).status).toBe(200);
    expect(ws.findMessage('C0GENERAL', original.ts)?.text).toBe('page 2');
    await respond({ text: 'a new one' });
    const general = (await env.as(ADMIN1).state()).conversations.find((c) => c.name === 'general')!;
    expect(general.messages.find((m) => m.text === 'a new one')?.ephemeral).toBe(true);
    for (let i = 0; i < 3; i++) await respond({ text: `more ${i}` });
    expect(await (await respond({ text: 'too many' })).json()).toEqual({ ok: false, error: 'used_url' });
    expect(env.sandbox.callsTo('response_url').length).toBeGreaterThanOrEqual(6);
  });

  it('publishes App Home when it is opened', async () => {
    const admin = env.as(ADMIN1);
    expect((await admin.post('home', { tab: 'home' })).body).toMatchObject({ ok: true });
    const home = await admin.waitFor((s) => s.home, 'the Home tab');
    expect(JSON.stringify(home.view.blocks)).toContain('Harness API keys');
  });

  it('answers like Slack: used trigger_ids, real-looking tokens, Block Kit limits', async () => {
    const api = (method: string, body: Record<string, unknown>, token = env.sandbox.botToken) =>
      fetch(`${env.sandbox.apiUrl}${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ ok: boolean; error?: string; errors?: string[] }>,
      );
    const used = env.sandbox.callsTo('views.open')[0]!.args.trigger_id as string;
    expect(await api('views.open', { trigger_id: used, view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })).toMatchObject({ ok: false, error: 'expired_trigger_id' });
    expect(await api('auth.test', {}, 'xoxb-1234567890-1234567890-abcdefABCDEF')).toMatchObject({ ok: false, error: 'invalid_auth' });
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(await api('chat.postMessage', { channel: 'C0GENERAL', text: 'x', blocks: tooMany })).toMatchObject({ ok: false, error: 'invalid_blocks', errors: ['must provide no more than 50 items [json-pointer:/blocks]'] });
    const long = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } };
    expect((await api('chat.postMessage', { channel: 'C0GENERAL', text: 'x', blocks: [long] })).errors).toEqual(['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(await api('chat.update', { channel: 'U0DEV', ts: '1.000001', text: 'x' })).toMatchObject({ ok: false, error: 'channel_not_found' });
    // Commands arrive escaped (manifest: should_escape), as `/apikey audit @dev` needs.
    expect(escapeCommandText(env.sandbox.workspace, 'audit @dev #general @nobody <b>&')).toBe('audit <@U0DEV|dev> <#C0GENERAL|general> @nobody &lt;b&gt;&amp;');
    const problems = (await env.as(DEV).state()).problems.map((p) => p.what);
    expect(problems).toEqual(expect.arrayContaining(['chat.postMessage answered invalid_blocks']));
  });

  it('serves loopback only, and takes page actions as JSON from its own origin only', async () => {
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>, method = 'GET', path = '/') =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${env.sandbox.url}${path}`, { method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{"user":"U0DEV","channel":"C0GENERAL","text":"/apikey help"}' : undefined);
      });
    expect(await status({ host: 'evil.example:80' })).toBe(403);
    expect(await status({ 'content-type': 'text/plain' }, 'POST', '/sandbox/command')).toBe(403);
    expect(await status({ 'content-type': 'application/json', origin: 'https://evil.example' }, 'POST', '/sandbox/command')).toBe(403);
    expect(await status({ 'content-type': 'application/json', origin: env.sandbox.url }, 'POST', '/sandbox/command')).toBe(200);
  });
});
