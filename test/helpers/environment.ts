import { createApp, type BotApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startFakeHarness, type FakeHarness } from '../../src/simulators/harness-firstgen';
import { startFakeSlack, type FakeSlack } from '../../src/simulators/slack/web-api';
import { makeServiceAccounts, startNextGenSimulator, type NextGenSimulator } from '../../src/simulators/harness-nextgen';
import { startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { SlackSender } from '../../src/simulators/slack/requests';

/**
 * The whole bot as it runs in production — Bolt's HTTP receiver, ioredis, graphql-request — wired
 * to a real redis-server and local fake Slack and Harness servers on loopback.
 */
export const SECRETS = {
  botToken: 'xoxb-test-0000-SECRETBOTTOKEN',
  signingSecret: 'signing-SECRET-0123456789abcdef',
  harnessKey: 'harness-SECRET-api-key-value',
  /** TOKEN_ENCRYPTION_KEY of NextGen environments (64 hex characters). */
  sealingKey: '5ec2e7'.repeat(10) + 'abcd',
};
export const ACCOUNT = 'acct_TEST_123';
export const APPROVERS = ['U0ADMIN1', 'U0ADMIN2'];
export const REQUESTER = 'U0DEV';
export const APPROVAL_CHANNEL = 'C0APPROVALS';
export const AUDIT_CHANNEL = 'C0AUDIT';

/** The environment a bot under test reads: wired to the given fakes, approvers U0ADMIN1 and U0ADMIN2. */
export function botEnv(fakes: { slackApiUrl: string; harnessUrl: string; redisUrl: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: SECRETS.botToken,
    SLACK_SIGNING_SECRET: SECRETS.signingSecret,
    SLACK_API_URL: fakes.slackApiUrl,
    PORT: '0',
    HARNESS_API_URL: fakes.harnessUrl,
    HARNESS_ACCOUNT_ID: ACCOUNT,
    HARNESS_API_KEY: SECRETS.harnessKey,
    REDIS_URL: fakes.redisUrl,
    APPROVER_USER_IDS: APPROVERS.join(','),
    APPROVAL_CHANNEL_ID: APPROVAL_CHANNEL,
    ...extra,
  };
}

export interface Environment {
  redis: RedisServer;
  slack: FakeSlack;
  harness: FakeHarness;
  /** The NextGen simulator, in environments started with `nextgen: true`. */
  nextgen?: NextGenSimulator;
  config: Config;
  bot: BotApp;
  sender: SlackSender;
  logs: string[];
  /** A second replica on the same Redis (same config, its own port). */
  startReplica(): Promise<{ bot: BotApp; sender: SlackSender }>;
  restartBot(): Promise<void>;
  close(): Promise<void>;
}

export async function startEnvironment(
  options: {
    env?: Record<string, string>;
    groups?: { id: string; name: string }[];
    nextgen?: boolean;
    nextgenRateLimit?: number;
    /** The FirstGen simulator's per-account limit, and the window the bot's budget counts over. */
    harnessRateLimit?: { limit: number; windowMs: number };
    /** The window the bot's Harness budget counts over (Harness: 60 s); tests of 429s shorten it. */
    budgetWindowMs?: number;
  } = {},
): Promise<Environment> {
  const redis = await startRedis();
  const slack = await startFakeSlack();
  const harness = await startFakeHarness({ apiKey: SECRETS.harnessKey, accountId: ACCOUNT, groups: options.groups, rateLimit: options.harnessRateLimit });
  const nextgen = options.nextgen
    ? await startNextGenSimulator({ apiKey: SECRETS.harnessKey, accountId: ACCOUNT, serviceAccounts: makeServiceAccounts(150), rateLimitPerMinute: options.nextgenRateLimit })
    : undefined;
  const nextgenEnv: Record<string, string> = nextgen ? { HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: SECRETS.sealingKey } : {};
  const config = loadConfig(
    botEnv(
      { slackApiUrl: slack.apiUrl, harnessUrl: nextgen?.url ?? harness.url, redisUrl: redis.url },
      { HARNESS_TIMEOUT_MS: '1500', AUDIT_CHANNEL_ID: AUDIT_CHANNEL, LOG_LEVEL: 'debug', RECONCILE_INTERVAL_MS: '500', ...nextgenEnv, ...options.env },
    ),
  );
  const logs: string[] = [];
  const bots: BotApp[] = [];
  const boot = async () => {
    const bot = createApp(config, {
      logger: createLogger({ level: 'debug', secrets: [SECRETS.botToken, SECRETS.signingSecret, SECRETS.harnessKey, SECRETS.sealingKey], write: (l) => logs.push(l) }),
      slackRetryConfig: { retries: 0 },
      ...(options.harnessRateLimit || options.budgetWindowMs ? { harnessBudgetWindowMs: options.budgetWindowMs ?? options.harnessRateLimit?.windowMs } : {}),
    });
    bots.push(bot);
    const { port } = await bot.start();
    return { bot, sender: new SlackSender(`http://127.0.0.1:${port}`, SECRETS.signingSecret, slack.url) };
  };
  const first = await boot();
  const environment: Environment = {
    redis,
    slack,
    harness,
    nextgen,
    config,
    bot: first.bot,
    sender: first.sender,
    logs,
    startReplica: boot,
    async restartBot() {
      await environment.bot.stop();
      const next = await boot();
      environment.bot = next.bot;
      environment.sender = next.sender;
    },
    async close() {
      await Promise.all(bots.map((b) => b.stop().catch(() => undefined)));
      await Promise.all([slack.close(), harness.close(), nextgen?.close(), redis.close()]);
    },
  };
  return environment;
}
