import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ACTIONS } from '../../src/slack/ids';
import { ACCOUNT, APPROVERS, REQUESTER, SECRETS, botEnv, type Environment } from '../helpers/environment';
import { groupId, startFakeHarness, type FakeHarness } from '../../src/simulators/harness-firstgen';
import { startFakeSlack, type FakeSlack } from '../../src/simulators/slack/web-api';
import { freePort, startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { approvalMessageOf, dmsTo, submitCreate, waitUntil } from '../helpers/flows';
import { SlackSender, sign } from '../../src/simulators/slack/requests';

/** `npm start` as an operator runs it: the compiled dist/main.js in its own process. */
const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('the compiled bot process', () => {
  let redis: RedisServer;
  let slack: FakeSlack;
  let harness: FakeHarness;
  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: `npm test` builds it first (pretest); run `npm run build`');
    redis = await startRedis();
    slack = await startFakeSlack();
    harness = await startFakeHarness({ apiKey: SECRETS.harnessKey, accountId: ACCOUNT });
  });
  afterAll(async () => {
    await Promise.all([slack.close(), harness.close(), redis.close()]);
  });

  it('refuses to start on a bad environment, listing every problem and no secret', async () => {
    const p = run({ SLACK_BOT_TOKEN: 'xoxp-NOT-A-BOT-TOKEN-SECRET', HARNESS_API_KEY: SECRETS.harnessKey, PORT: 'x' });
    expect(await p.exited).toBe(78);
    const out = p.output();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'HARNESS_ACCOUNT_ID', 'APPROVAL_CHANNEL_ID', 'APPROVER_USER_IDS']) {
      expect(out).toContain(name);
    }
    expect(out).not.toContain('NOT-A-BOT-TOKEN-SECRET');
    expect(out).not.toContain(SECRETS.harnessKey);
  });

  it('names the variable to fix: a token Slack refuses, an unreachable Slack, a Harness key Harness refuses', async () => {
    slack.failures.set('auth.test', 'invalid_auth');
    const refused = run(botEnv({ slackApiUrl: slack.apiUrl, harnessUrl: harness.url, redisUrl: redis.url }, { PORT: String(await freePort()) }));
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
    slack.failures.delete('auth.test');

    const nowhere = run(botEnv({ slackApiUrl: `http://127.0.0.1:${await freePort()}/api/`, harnessUrl: harness.url, redisUrl: redis.url }, { PORT: String(await freePort()) }));
    expect(await nowhere.exited).toBe(1);
    expect(nowhere.output()).toMatch(/Could not reach Slack at 127\.0\.0\.1:\d+ \(SLACK_API_URL\)/);

    // A wrong Harness key: the bot still starts (readiness is Redis's), and says so at once.
    const port = await freePort();
    const wrongKey = run({ ...botEnv({ slackApiUrl: slack.apiUrl, harnessUrl: harness.url, redisUrl: redis.url }, { PORT: String(port) }), HARNESS_API_KEY: 'not-the-key' });
    try {
      // Start-up plus one Harness call: about 1.5 s here, but a full CI run (Chromium beside two
      // Jest workers on 2 cores) once took over 10 s.
      await waitUntil(() => wrongKey.output().includes('check HARNESS_API_KEY'), 20000, 'the Harness check');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(wrongKey.output()).not.toContain('not-the-key');
    } finally {
      wrongKey.child.kill('SIGKILL');
    }
  }, 60_000);

  it('serves /healthz and /readyz, runs a whole approval, logs JSON without secrets, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = run(botEnv({ slackApiUrl: slack.apiUrl, harnessUrl: harness.url, redisUrl: redis.url }, { PORT: String(port) }));
    try {
      await waitUntil(() => p.output().includes('apikey bot started'), 10000, 'start');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok' });
      const unsigned = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: 'command=/apikey' });
      expect(unsigned.status).toBe(401);
      // A signed JSON null once crashed the process (Bolt's receiver reads body.ssl_check unguarded).
      for (const [body, type] of [['null', 'application/json'], ['payload=null', 'application/x-www-form-urlencoded']] as const) {
        const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...sign(SECRETS.signingSecret, body) }, body });
        expect(res.status).toBe(400);
      }
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      // A whole create -> approve -> DM.
      const env = { sender: new SlackSender(`http://127.0.0.1:${port}`, SECRETS.signingSecret, slack.url), slack, redis } as unknown as Environment;
      const requestId = await submitCreate(env, REQUESTER, 'compiled-key', [groupId(4)]);
      // The same click replayed (a captured request, within Slack's 5 minutes) is acted on once.
      const at = (await approvalMessageOf(env, requestId))!;
      const click = env.sender.buttonBody(APPROVERS[0]!, ACTIONS.approve, requestId, at.channelId, at.ts);
      const headers = sign(SECRETS.signingSecret, click);
      expect((await env.sender.send(click, headers)).status).toBe(200);
      expect(await env.sender.send(click, headers)).toMatchObject({ status: 200, body: '' });
      const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('compiled-key') && t.includes('created')), 8000, 'result DM');
      expect(dm).toContain('<@U0ADMIN1>');
      expect(harness.mutations('createApiKey')).toHaveLength(1);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const lines = p.output().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      for (const secret of Object.values(SECRETS)) expect(p.output()).not.toContain(secret);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
