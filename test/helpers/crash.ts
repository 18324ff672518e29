import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ACCOUNT, AUDIT_CHANNEL, SECRETS, botEnv } from './environment';
import { waitUntil } from './flows';
import { startFakeHarness, type FakeHarness } from '../../src/simulators/harness-firstgen';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../../src/simulators/slack/web-api';
import { startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { SlackSender } from '../../src/simulators/slack/requests';

/**
 * What crash-recovery.test.ts needs around the COMPILED bot: start dist/main.js as `npm start`
 * would, SIGKILL it at a chosen instant, start a fresh one on the same Redis.
 */
const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

export interface Bot {
  sender: SlackSender;
  output(): string;
  /** SIGKILL: no handler runs, nothing is flushed. Resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface World {
  redis: RedisServer;
  slack: FakeSlack;
  harness: FakeHarness;
  /** The test's own connection to the bots' Redis. */
  db: Redis;
  /** The end of every bot's log, for a failure message. */
  logs(): string;
  /** Starts dist/main.js. The first bot reaches Redis through a proxy that `cutRedisAt` can cut; later ones directly. */
  boot(): Promise<Bot>;
  /**
   * Resolves when the first bot sends a Redis command containing `text`; that command and
   * everything after it (from every connection) never reach Redis. A command cut in half is
   * never executed either: Redis waits for the rest, then drops it with the connection.
   */
  cutRedisAt(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Fast timers: the reconciler every 200 ms; Harness calls time out after 3 s (so "executing" is stale after 33 s). */
export const CRASH_ENV = { AUDIT_CHANNEL_ID: AUDIT_CHANNEL, HARNESS_TIMEOUT_MS: '3000', RECONCILE_INTERVAL_MS: '200', LOG_LEVEL: 'info', PORT: '0' };

/**
 * Start-ups take CPU (a bot ~1 s of it); idle bots and redis-servers hardly any. Scenarios run side
 * by side, so their start-ups take turns, two at a time.
 */
function slots(n: number) {
  let free = n;
  const queue: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free++;
    }
  };
}
const startUp = slots(2);

export async function startWorld(): Promise<World> {
  const { redis, slack, harness, proxy } = await startUp(async () => {
    const redis = await startRedis();
    const slack = await startFakeSlack();
    const harness = await startFakeHarness({ apiKey: SECRETS.harnessKey, accountId: ACCOUNT });
    return { redis, slack, harness, proxy: await startCuttableProxy(redis.port) };
  });
  const db = new Redis(redis.url);
  const bots: Bot[] = [];
  return {
    redis,
    slack,
    harness,
    db,
    async boot() {
      const redisUrl = bots.length === 0 ? proxy.url : redis.url;
      const bot = await startUp(() => spawnBot(botEnv({ slackApiUrl: slack.apiUrl, harnessUrl: harness.url, redisUrl }, CRASH_ENV), slack.url));
      bots.push(bot);
      return bot;
    },
    cutRedisAt: (text) => proxy.cutAt(text),
    logs: () => bots.map((b, i) => `--- bot ${i + 1}:\n${b.output().trim().split('\n').slice(-12).join('\n')}`).join('\n'),
    async close() {
      await Promise.all(bots.map((b) => b.kill()));
      db.disconnect();
      proxy.close();
      await Promise.all([slack.close(), harness.close(), redis.close()]);
    },
  };
}

async function spawnBot(env: Record<string, string>, slackUrl: string): Promise<Bot> {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await waitUntil(
    () => child.exitCode !== null || out.split('\n').find((l) => l.includes('"apikey bot started"')),
    30_000,
    'the compiled bot to start',
  ).catch((err: Error) => (child.kill('SIGKILL'), err));
  if (typeof started !== 'string') throw new Error(`the bot did not start:\n${out}`);
  const { port } = JSON.parse(started) as { port: number };
  return {
    sender: new SlackSender(`http://127.0.0.1:${port}`, SECRETS.signingSecret, slackUrl),
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function startCuttableProxy(redisPort: number) {
  let pattern: string | undefined;
  let cut = false;
  let onCut: () => void = () => undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(redisPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (client.destroy(), upstream.destroy()));
    }
    upstream.on('data', (d: Buffer) => cut || client.write(d));
    let tail = '';
    client.on('data', (d: Buffer) => {
      if (cut) return;
      const seen = tail + d.toString('latin1');
      if (pattern && seen.includes(pattern)) {
        cut = true;
        onCut();
        return;
      }
      tail = seen.slice(-256);
      upstream.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cutAt(text: string) {
      pattern = text;
      return new Promise<void>((resolve) => (onCut = resolve));
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * Resolves when a call matching `predicate` reaches the fake Slack, which then REFUSES it
 * (fatal_error) and every later call of the same method until `slack.failures` is cleared: the
 * fake runs waitFor's predicates before it looks at `failures`, so the refusal applies to this
 * very call. The bot asked, Slack showed nothing: the kill that follows lands "before" the message.
 */
export function refuse(slack: FakeSlack, predicate: (c: SlackCall) => boolean): Promise<SlackCall> {
  return slack.waitFor(
    (c) => {
      if (!predicate(c)) return false;
      slack.failures.set(c.method, 'fatal_error');
      return true;
    },
    20_000,
    slack.calls.length,
  );
}
