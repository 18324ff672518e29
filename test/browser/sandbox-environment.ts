import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startFakeHarness, type FakeHarness } from '../../src/simulators/harness-firstgen';
import { startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { startSlackSandbox, type SlackSandbox } from '../../src/simulators/slack/sandbox';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start';

/**
 * The real bot (Bolt's HTTP receiver, ioredis, graphql-request) against a real redis-server, the
 * FirstGen Harness simulator and the Slack sandbox, as a person would use it through the page.
 * Shared by test/integration/sandbox-slack.test.ts (page endpoints over HTTP) and
 * test/browser/sandbox.test.ts (the page in Chromium).
 */
export const HARNESS = { accountId: 'acct_SANDBOX_1', apiKey: 'harness-sandbox-api-key' };

export interface SandboxEnvironment {
  redis: RedisServer;
  harness: FakeHarness;
  sandbox: SlackSandbox;
  bot: BotApp;
  logs: string[];
  as(userId: string): PageClient;
  close(): Promise<void>;
}

/** Snapshot types, as far as the tests read them (src/simulators/slack/page-state.ts). */
export interface PageMessage {
  ts: string;
  user: string;
  text: string;
  blocks?: { type: string; block_id?: string; elements?: { action_id?: string; value?: string; text?: unknown }[] }[];
  edited: boolean;
  ephemeral: boolean;
  replies?: PageMessage[];
}
export interface PageState {
  me: { id: string };
  conversations: { id: string; name: string; kind: string; readOnly: boolean; messages: PageMessage[] }[];
  modal: null | { id: string; hash: string; depth: number; view: { callback_id?: string; title?: { text: string }; blocks: { block_id?: string }[] }; values: Record<string, Record<string, unknown>>; errors: Record<string, string>; appError: string | null };
  home: null | { view: { blocks: unknown[] } };
  problems: { what: string; details: string[] }[];
  connected: boolean;
}

/** The page's calls, for one person: the same endpoints and bodies as page/app.js. */
export class PageClient {
  constructor(
    readonly baseUrl: string,
    readonly user: string,
  ) {}

  async post<T = Record<string, unknown>>(path: string, body: Record<string, unknown>): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}/sandbox/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, user: this.user }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async state(): Promise<PageState> {
    return (await (await fetch(`${this.baseUrl}/sandbox/state?user=${this.user}`)).json()) as PageState;
  }

  /** Polls this person's view until `probe` returns something truthy. */
  async waitFor<T>(probe: (s: PageState) => T | undefined | false | null, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: PageState | undefined;
    for (;;) {
      last = await this.state();
      const found = probe(last);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; problems: ${JSON.stringify(last.problems)}; state: ${JSON.stringify(last.conversations).slice(0, 3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  conversation(s: PageState, name: string) {
    const c = s.conversations.find((x) => x.name === name || x.id === name);
    if (!c) throw new Error(`no conversation ${name}`);
    return c;
  }
}

export async function startSandboxEnvironment(options: { port?: number } = {}): Promise<SandboxEnvironment> {
  const redis = await startRedis();
  const harness = await startFakeHarness({ apiKey: HARNESS.apiKey, accountId: HARNESS.accountId });
  const sandbox = await startSlackSandbox({ port: options.port });
  const logs: string[] = [];
  const config = loadConfig({
    ...sandbox.env,
    PORT: '0',
    HARNESS_API_URL: harness.url,
    HARNESS_ACCOUNT_ID: HARNESS.accountId,
    HARNESS_API_KEY: HARNESS.apiKey,
    HARNESS_TIMEOUT_MS: '2000',
    REDIS_URL: redis.url,
    RECONCILE_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
  });
  const bot = createApp(config, {
    logger: createLogger({ level: 'info', secrets: [sandbox.botToken, sandbox.signingSecret, HARNESS.apiKey], write: (l) => logs.push(l) }),
    slackRetryConfig: { retries: 0 },
  });
  const { port } = await bot.start();
  sandbox.setBotUrl(`http://127.0.0.1:${port}`);
  return {
    redis,
    harness,
    sandbox,
    bot,
    logs,
    as: (userId) => new PageClient(sandbox.url, userId),
    async close() {
      await bot.stop().catch(() => undefined);
      await Promise.all([sandbox.close(), harness.close(), redis.close()]);
    },
  };
}

/**
 * What `npm start` runs with no configuration (src/sandbox/start.ts), simulating NextGen: the real
 * bot, the Slack sandbox and the NextGen simulator, on a test Redis, with its .sandbox directory
 * in a temp dir. `url` is the page without its trailing slash.
 */
export interface NextGenSandbox {
  redis: RedisServer;
  running: RunningSandbox;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startNextGenSandbox(): Promise<NextGenSandbox> {
  const redis = await startRedis();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'apikey-sandbox-'));
  const logs: string[] = [];
  const running = await startSandbox({}, { kind: 'sandbox', generation: 'nextgen', port: 0, redisUrl: redis.url }, {
    dataDir,
    print: (t) => logs.push(t),
    warn: (t) => logs.push(`WARN ${t}`),
    logger: createLogger({ level: 'warn', secrets: [], write: (l) => logs.push(l) }),
  });
  return {
    redis,
    running,
    url: running.url.replace(/\/$/, ''),
    logs,
    async close() {
      await running.stop().catch(() => undefined);
      await redis.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
