import { createHash } from 'node:crypto';
import path from 'node:path';
import Redis from 'ioredis';
import { createApp } from '../app';
import { isLoopbackUrl, loadConfig, type Config } from '../config';
import type { AppLogger } from '../logger';
import { startSlackSandbox, type SlackSandbox } from '../simulators/slack/sandbox';
import { openDataDir, SandboxError } from './data-dir';
import { startSimulatedHarness, type SimulatedHarness } from './harness';
import { nonLoopbackUrls, passThrough, type Mode } from './mode';
import { persistWorkspace } from './persist';
import { claimDatabase, sandboxRedis, type SandboxRedis } from './redis';

/**
 * `npm start` with no Slack and no Harness configuration: the real bot (createApp(loadConfig(env)),
 * as in production) with its environment pointing at a simulated Slack workspace with a web page
 * (the page's clicks reach the bot's /slack/events as signed requests), a simulated Harness and a
 * Redis, everything on 127.0.0.1. See README.md, "Try it locally".
 */
export { SandboxError } from './data-dir';

export type SandboxMode = Extract<Mode, { kind: 'sandbox' }>;

export interface SandboxOptions {
  /** Default: .sandbox in the working directory. */
  dataDir?: string;
  /** Where the banner goes (default stdout). */
  print?: (text: string) => void;
  /** Where the sandbox's own warnings go (default stderr). */
  warn?: (text: string) => void;
  /** The bot's logger (default: the one createApp makes from LOG_LEVEL). */
  logger?: AppLogger;
}

export interface RunningSandbox {
  /** The page, e.g. http://127.0.0.1:3000/ */
  url: string;
  /** The bot's own HTTP server (its /slack/events, /healthz). */
  botUrl: string;
  /** The environment the bot was configured from, and the result. */
  botEnv: Record<string, string>;
  config: Config;
  logger: AppLogger;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..');

export async function startSandbox(env: Record<string, string | undefined>, mode: SandboxMode, options: SandboxOptions = {}): Promise<RunningSandbox> {
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const warn = options.warn ?? ((text: string) => process.stderr.write(`sandbox: ${text}\n`));
  const dataDir = path.resolve(options.dataDir ?? '.sandbox');
  const steps: (() => Promise<void> | void)[] = []; // how to stop what has started, in reverse order
  const stop = async () => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        warn(`while stopping: ${String(err)}`);
      }
    }
  };

  try {
    const data = openDataDir(dataDir);
    steps.push(() => data.release());
    let slack: SlackSandbox;
    try {
      slack = await startSlackSandbox({ port: mode.port, keep: () => false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      throw new SandboxError(`Port ${mode.port} on 127.0.0.1 is taken (another sandbox?). Choose another one: PORT=${mode.port + 1} npm start`);
    }
    steps.push(() => slack.close());
    const redis: SandboxRedis = await sandboxRedis({ redisUrl: mode.redisUrl, dataDir, root: ROOT, generation: mode.generation });
    steps.push(() => redis.stop());
    const state = new Redis(redis.url, { connectionName: 'apikey-sandbox', maxRetriesPerRequest: 2, lazyConnect: true });
    state.on('error', () => undefined); // reported where it matters: persist.ts, the bot's /readyz
    steps.push(() => state.disconnect());
    await state.connect().catch((err: unknown) => {
      throw new SandboxError(`The sandbox's Redis (${redis.where}) does not answer: ${err instanceof Error ? err.message : String(err)}`);
    });
    const keysFingerprint = createHash('sha256').update(`${data.keys.tokenEncryptionKey}:${data.keys.auditHmacKey}`).digest('hex').slice(0, 16);
    await claimDatabase(state, { generation: mode.generation, where: redis.where, reset: redis.reset, keysFingerprint });
    const onError = (err: unknown) => warn(`could not save the simulated Slack workspace in Redis: ${String(err)}`);
    const harness: SimulatedHarness = await startSimulatedHarness(mode.generation, state, { onProblem: warn });
    steps.push(() => harness.stop());
    const workspace = await persistWorkspace(slack.workspace, state, onError);
    steps.push(() => workspace.stop());

    const botEnv: Record<string, string> = {
      ...slack.env,
      ...harness.env,
      ...(mode.generation === 'nextgen' ? { TOKEN_ENCRYPTION_KEY: data.keys.tokenEncryptionKey } : {}),
      AUDIT_HMAC_KEY: data.keys.auditHmacKey,
      REDIS_URL: redis.url,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...passThrough(env),
    };
    // Everything the bot is told to call is on this machine: nothing reaches Slack or Harness.
    const outside = nonLoopbackUrls(botEnv);
    if (outside.length > 0) throw new Error(`sandbox bug: ${outside.join(', ')} would leave this machine`);
    const config = loadConfig(botEnv);
    if (![config.slack.apiUrl, config.harness.apiUrl, config.redisUrl].every((u) => isLoopbackUrl(u))) throw new Error('sandbox bug: a configured URL is not loopback');

    const bot = createApp(config, { host: '127.0.0.1', ...(options.logger ? { logger: options.logger } : {}) });
    steps.push(() => bot.stop());
    const { port } = await bot.start();
    const botUrl = `http://127.0.0.1:${port}`;
    slack.setBotUrl(botUrl);
    const url = `${slack.url}/`;
    print(banner({ url, slack, harness, redis, keysFile: data.keysFile }));
    const stopped = `Sandbox stopped. npm start resumes it with its data; to start afresh: ${redis.reset.replace(/^stop the sandbox, (then )?/, '')}`;
    return { url, botUrl, botEnv, config, logger: bot.logger, stop: () => stop().then(() => print(stopped)) };
  } catch (err) {
    await stop();
    throw err;
  }
}

function banner(o: { url: string; slack: SlackSandbox; harness: SimulatedHarness; redis: SandboxRedis; keysFile: string }): string {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const approvers = new Set(o.slack.env.APPROVER_USER_IDS.split(','));
  const people = o.slack.workspace.people.map((p) => {
    const who = approvers.has(p.id) ? 'approver: approves or denies requests in #apikey-approvals' : p.role === 'requester' ? 'requester: type /apikey create in #general' : `${p.role ?? 'member'}: not an approver`;
    return `     ${p.name.padEnd(8)} ${who}`;
  });
  const other = o.harness.generation === 'nextgen' ? 'HARNESS_API=firstgen npm start simulates FirstGen instead' : 'unset HARNESS_API to simulate NextGen';
  return [
    '',
    '  apikey bot: SANDBOX. No Slack or Harness configuration was found, so both are simulated on this machine.',
    '',
    `  Open ${o.url}   (PORT moves it)`,
    '',
    '  Who is who (switch with "You are" on the page):',
    ...people,
    `  Harness: ${o.harness.description} (${other})`,
    `  Data:    requests, keys and audit trail in ${o.redis.where}; sealing and audit keys in ${rel(o.keysFile)}`,
    `  Reset:   ${o.redis.reset}`,
    '  Nothing leaves this machine; no person here is real. Ctrl-C stops everything.',
    '  To run for real, configure Slack and Harness: README "Configuration".',
    '',
  ].join('\n');
}
