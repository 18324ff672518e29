import { spawn } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { ACTIONS } from '../../src/slack/ids';
import { APPROVERS, REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { createKey, readAudit, submitCreate, waitUntil } from '../helpers/flows';

type Reply = { response_type: string; text: string; blocks?: { type: string; text?: { text: string }; elements?: { action_id?: string; value?: string }[] }[] };

describe('list, help, home tab and the audit trail review', () => {
  let env: Environment;
  let uuidA: string;
  let openRequest: string;
  const ADMIN = APPROVERS[0]!;
  const audit = async (userId: string, args: string) => (await env.sender.command(userId, `audit ${args}`)).json() as Reply;
  // Entry lines start with their time in backticks; the title and notes do not.
  const lines = (r: Reply) => (r.blocks ?? []).flatMap((b) => (b.type === 'section' ? b.text!.text.split('\n') : [])).filter((l) => l.startsWith('`'));

  beforeAll(async () => {
    env = await startEnvironment();
    uuidA = await createKey(env, REQUESTER, ADMIN, 'alpha-key', [groupId(1)]);
    await createKey(env, 'U0OTHERDEV', APPROVERS[1]!, 'beta-key', [groupId(2)]);
    openRequest = await submitCreate(env, REQUESTER, 'gamma-key', [groupId(3)]);
  });
  afterAll(async () => {
    await env.close();
  });

  it('/apikey list shows every known key with its people, and the caller’s open requests, ephemerally', async () => {
    const reply = (await env.sender.command(REQUESTER, 'list')).json() as Reply;
    expect(reply.response_type).toBe('ephemeral');
    const text = (reply.blocks ?? []).map((b) => b.text?.text ?? '').join('\n');
    expect(text).toMatch(new RegExp(`alpha-key\\* \`${uuidA}\` — team-0001 — asked by <@${REQUESTER}>, approved by <@${ADMIN}>, \\d{4}-\\d{2}-\\d{2}`));
    expect(text).toContain('beta-key');
    expect(text).toContain(`\`${openRequest}\` create *gamma-key* — pending`);
  });

  it('/apikey help and unknown subcommands show usage', async () => {
    const help = (await env.sender.command(REQUESTER, 'help')).json() as Reply;
    for (const sub of ['create', 'update', 'delete', 'list', 'audit']) expect(help.text).toContain(`/apikey ${sub}`);
    const unknown = (await env.sender.command(REQUESTER, 'frobnicate')).json() as Reply;
    expect(unknown.text).toMatch(/Unknown subcommand `frobnicate`/);
    expect((await env.sender.command(REQUESTER, '')).json()).toMatchObject({ text: expect.stringContaining('/apikey create') });
  });

  it('audit by key name or uuid, newest first', async () => {
    const byName = lines(await audit(ADMIN, 'alpha-key'));
    expect(byName.map((l) => /\*(\w+)\*/.exec(l)?.[1])).toEqual(['executed', 'approved', 'requested']);
    const byUuid = lines(await audit(ADMIN, uuidA));
    expect(byUuid).toHaveLength(1);
    expect(byUuid[0]).toContain('*executed*');
  });

  it('audit by @user (as Slack escapes a mention) and by request id', async () => {
    const byUser = lines(await audit(ADMIN, `<@U0OTHERDEV|otherdev>`));
    expect(byUser.every((l) => l.includes('beta-key'))).toBe(true);
    expect(byUser).toHaveLength(3);
    const byRequest = lines(await audit(ADMIN, openRequest));
    expect(byRequest).toHaveLength(1);
    expect(byRequest[0]).toContain('*requested* create gamma-key');
  });

  it('--since limits the window', async () => {
    expect(lines(await audit(ADMIN, 'alpha-key --since 1h'))).toHaveLength(3);
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    // A window that starts in the future is a mistake to point out, not an empty result.
    const none = await audit(ADMIN, `alpha-key --since ${future}`);
    expect(none.text).toMatch(/between 1970 and now/);
    const empty = await audit(ADMIN, 'no-such-key --since 1h');
    expect(JSON.stringify(empty.blocks)).toContain('No matching events');
    expect((await audit(ADMIN, 'alpha-key --since yesterday')).text).toMatch(/--since. takes a duration/);
  });

  it('refuses non-approvers and audits the attempt', async () => {
    const reply = await audit(REQUESTER, 'alpha-key');
    expect(reply.text).toBe('Only API key approvers can review the audit trail.');
    expect(reply.blocks).toBeUndefined();
    const refused = (await readAudit(env)).filter((e) => e.event === 'refused' && e.operation === 'audit');
    expect(refused.at(-1)).toMatchObject({ actorId: REQUESTER, detail: 'audit review: NOT_APPROVER' });
  });

  it('pages through many events with an "Older events" button', async () => {
    const redis = new Redis(env.redis.url);
    try {
      // 45 more events for one user, appended the way the bot does (entry + index).
      for (let i = 0; i < 45; i++) {
        const id = await redis.xadd(env.config.auditStreamKey, '*', 'event', 'refused', 'requestId', `req-page-${i}`, 'operation', 'create', 'actorId', 'U0PAGER', 'requesterId', REQUESTER, 'keyName', 'paged', 'keyUuid', '', 'userGroupIds', '', 'reason', '', 'at', new Date().toISOString());
        await redis.zadd(`${env.config.auditStreamKey}:idx:user:U0PAGER`, Number(id!.split('-')[0]), id!);
      }
    } finally {
      redis.disconnect();
    }
    const first = await audit(ADMIN, '@U0PAGER');
    expect(lines(first)).toHaveLength(20);
    const button = first.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.auditPage)!;
    const seen = new Set(lines(first));
    let value = button.value!;
    let pages = 1;
    for (;;) {
      const since = env.slack.calls.length;
      await env.sender.button(ADMIN, ACTIONS.auditPage, value, 'C0WORK');
      const response = await env.slack.waitFor((c) => c.method === `/actions/${ADMIN}`, 5000, since);
      const page = response.args as unknown as Reply & { replace_original: boolean };
      expect(page.replace_original).toBe(true);
      for (const l of lines(page)) seen.add(l);
      pages++;
      const next = page.blocks!.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.auditPage);
      if (!next) break;
      value = next.value!;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBe(45);
  });

  it('publishes the home tab: own requests, and for approvers what waits for them', async () => {
    for (const user of [REQUESTER, ADMIN]) {
      const res = await env.sender.event({ type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
      expect(res.status).toBe(200);
    }
    const mine = await waitUntil(() => env.slack.callsTo('views.publish').find((c) => c.args.user_id === REQUESTER), 5000, 'requester home');
    const mineText = JSON.stringify(mine.args.view);
    expect(mineText).toContain('gamma-key');
    expect(mineText).not.toContain('Waiting for your decision');
    const admin = await waitUntil(() => env.slack.callsTo('views.publish').find((c) => c.args.user_id === ADMIN), 5000, 'approver home');
    const adminText = JSON.stringify(admin.args.view);
    expect(adminText).toContain('Waiting for your decision (1)');
    expect(adminText).toContain(openRequest);
  });

  it('npm run -s audit:export writes the stream as JSON lines, from --since on', async () => {
    const root = path.join(__dirname, '..', '..');
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', 'audit:export', '--', ...args], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', REDIS_URL: env.redis.url, AUDIT_STREAM_KEY: env.config.auditStreamKey },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => resolve({ code, out, err }));
      });
    const all = await run(['--since', '2026-01-01']);
    expect(all.code).toBe(0);
    const entries = all.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const stream = await readAudit(env);
    expect(entries).toEqual(stream.map((e) => ({ ...e })));
    expect(all.err).toMatch(new RegExp(`${entries.length} entries`));
    const none = await run(['--since', '2999-01-01']);
    expect(none.out).toBe('');
    const bad = await run(['--sinse', '7d']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/usage: npm run -s audit:export/);
  });
});
