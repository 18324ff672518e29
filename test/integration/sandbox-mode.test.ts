import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort, startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { PageClient } from '../browser/sandbox-environment';
import { ADMIN1, approveToken, command, DEV, requestToken, revealToken } from '../helpers/sandbox-flows';
import { waitUntil } from '../helpers/flows';
import { npmStart } from '../helpers/npm-start';

/**
 * `npm start` on a machine with no Slack or Harness configuration: the COMPILED dist/main.js with
 * an empty environment (PATH, HOME, a free PORT, and REDIS_URL for a test Redis), in an empty
 * working directory (no .env; its .sandbox/ is the test's). One request goes through the page's
 * endpoints, the sandbox restarts, and everything is still there.
 */
const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(cwd: string, env: Record<string, string>): Run {
  let out = '';
  const child = spawn(process.execPath, [...npmStart().flags, MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('npm start with no Slack or Harness configuration: the sandbox', () => {
  let redis: RedisServer;
  let cwd: string;
  let port: number;
  let current: Run | undefined;
  const start = async () => {
    current = run(cwd, { PORT: String(port), REDIS_URL: redis.url });
    const url = await waitUntil(() => /Open (http:\/\/\S+)/.exec(current!.output())?.[1], 15_000, `the printed URL; output: ${current.output()}`);
    return { url, banner: current.output() };
  };
  const stop = async () => {
    current!.child.kill('SIGTERM');
    expect(await current!.exited).toBe(0);
    expect(current!.output()).toContain('Sandbox stopped');
    current = undefined;
  };

  beforeAll(async () => {
    if (!existsSync(path.join(path.dirname(MAIN), 'sandbox', 'start.js'))) throw new Error('dist/ has no sandbox: `npm test` builds it first (pretest); run `npm run build`');
    redis = await startRedis();
    cwd = mkdtempSync(path.join(tmpdir(), 'apikey-sandbox-'));
    port = await freePort();
  });
  afterAll(async () => {
    if (current) current.child.kill('SIGKILL');
    await redis?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the page URL and who is who, and serves the page on 127.0.0.1:PORT', async () => {
    const { url, banner } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    expect(banner).toMatch(/dev\s+requester/);
    expect(banner).toMatch(/admin1\s+approver/);
    expect(banner).toMatch(/other\s+someone else/);
    expect(banner).toContain('simulated NextGen, 150 service accounts');
    expect(banner).toContain('Reset:');
    // No JSON log line at start: the banner is all a newcomer reads.
    expect(banner).not.toMatch(/^\{/m);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('SANDBOX');
    const keys = path.join(cwd, '.sandbox', 'keys.json');
    expect(statSync(keys).mode & 0o777).toBe(0o600);
  }, 30_000);

  it('takes a request through the page, and still has it after a restart', async () => {
    const url = `http://127.0.0.1:${port}`;
    const approval = await requestToken(new PageClient(url, DEV), 'ci deployer');
    expect(approval.text).toContain('ci deployer');
    const keysBefore = readFileSync(path.join(cwd, '.sandbox', 'keys.json'), 'utf8');
    await stop();

    const { banner } = await start();
    expect(readFileSync(path.join(cwd, '.sandbox', 'keys.json'), 'utf8')).toBe(keysBefore);
    // One sandbox per .sandbox directory.
    const second = run(cwd, { PORT: String(await freePort()), REDIS_URL: redis.url });
    expect(await second.exited).toBe(78);
    expect(second.output()).toMatch(/Another sandbox \(process \d+\) is running/);
    const dev = new PageClient(url, DEV);
    // The bot's data (Redis) and the simulated Slack's messages both survived.
    const list = await command(dev, '/apikey list', 'open request');
    expect(list.text).toMatch(/1 open request/);
    const result = await approveToken(new PageClient(url, ADMIN1), dev, 'ci deployer');
    expect(result.text).toContain('Reveal token');
    const value = await revealToken(dev, result);
    expect(value).toMatch(/^sat\.acct_SANDBOX\./);
    expect(banner).toContain('0 API keys, 0 tokens');
    await stop();

    // The simulated Harness kept the key and token the approval created; the token stays shown once.
    const third = await start();
    expect(third.banner).toContain('1 API key, 1 token');
    const audit = await command(new PageClient(url, ADMIN1), '/apikey audit ci deployer', 'Audit trail');
    expect(JSON.stringify(audit.blocks)).toMatch(/revealed/);
    await stop();

    const db = new Redis(redis.url);
    try {
      expect(await db.get('sandbox:generation')).toBe('nextgen');
      const everything = JSON.stringify(await Promise.all((await db.keys('*')).map(async (k) => ((await db.type(k)) === 'string' ? db.get(k) : k))));
      expect(everything).not.toContain(value); // the token's value is nowhere in Redis, simulators included
    } finally {
      db.disconnect();
    }
  }, 90_000);

  it('refuses a half-configured environment, naming the variables, with exit code 78', async () => {
    const slackOnly = run(cwd, { PORT: String(port), SLACK_BOT_TOKEN: 'xoxb-sandbox-SECRET', APPROVAL_CHANNEL_ID: 'C0APPROVALS' });
    expect(await slackOnly.exited).toBe(78);
    expect(slackOnly.output()).toContain('Slack is configured (SLACK_BOT_TOKEN, APPROVAL_CHANNEL_ID) but Harness is not');
    expect(slackOnly.output()).not.toContain('SECRET');

    const harnessOnly = run(cwd, { HARNESS_API_KEY: 'k', HARNESS_ACCOUNT_ID: 'acct' });
    expect(await harnessOnly.exited).toBe(78);
    expect(harnessOnly.output()).toContain('Harness is configured (HARNESS_ACCOUNT_ID, HARNESS_API_KEY) but Slack is not');

    // .env counts as configuration too.
    writeFileSync(path.join(cwd, '.env'), 'SLACK_SIGNING_SECRET=abc\n');
    try {
      const fromFile = run(cwd, { REDIS_URL: redis.url });
      expect(await fromFile.exited).toBe(78);
      expect(fromFile.output()).toContain('(SLACK_SIGNING_SECRET)');
    } finally {
      rmSync(path.join(cwd, '.env'));
    }

    const remoteRedis = run(cwd, { REDIS_URL: 'redis://redis.example.com:6379' });
    expect(await remoteRedis.exited).toBe(78);
    expect(remoteRedis.output()).toMatch(/REDIS_URL must be a redis:\/\/ URL on this machine/);
  }, 30_000);
});
