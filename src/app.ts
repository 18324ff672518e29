import type { AddressInfo } from 'node:net';
import { App, LogLevel, type webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import { secretsOf, type Config } from './config';
import type { HarnessBackend } from './harness/backend';
import { firstGenBackend } from './harness/firstgen/backend';
import { createHarnessClient } from './harness/firstgen/client';
import { nextGenBackend } from './harness/nextgen/backend';
import { createNextGenClient } from './harness/nextgen/client';
import { createLogger, onceEvery, type AppLogger } from './logger';
import { ApproverDirectory } from './services/approvers';
import { Execution } from './services/execution';
import { BudgetGate } from './services/harness-budget';
import { Outbox } from './services/outbox';
import { QueryService } from './services/queries';
import { AuditCheckpoints } from './services/audit-checkpoints';
import { Reconciler } from './services/reconciler';
import { RequestService } from './services/request-service';
import { RevealService } from './services/reveal';
import { TokenSubmissionService } from './services/token-submissions';
import { SubmissionService } from './services/submissions';
import { HarnessDirectory } from './services/harness-directory';
import { WorkQueue } from './services/work-queue';
import { registerListeners } from './slack/listeners';
import { healthRoutes, httpReceiver } from './slack/http-receiver';
import { SlackNotifier } from './slack/slack-notifier';
import { startupProblem } from './slack/startup';
import { AuditLog } from './store/audit-log';
import { KeyRegistry } from './store/key-registry';
import { DecisionViews } from './store/decision-views';
import { HarnessBudget } from './store/harness-budget';
import { OutboxStore } from './store/outbox-store';
import { RefusalWindow } from './store/refusal-window';
import { TokenVault } from './store/token-vault';
import { migrateKeys } from './store/migrations';
import { createRedis, waitForReady } from './store/redis';
import { RequestStore } from './store/request-store';

export interface AppOverrides {
  logger?: AppLogger;
  /** Web API retry policy; tests use { retries: 0 }. */
  slackRetryConfig?: webApi.RetryOptions;
  /** The span Harness's budget is counted over (60 s, as Harness counts); tests shorten it. */
  harnessBudgetWindowMs?: number;
  /** The interface the HTTP receiver listens on (default: all); the sandbox binds 127.0.0.1. */
  host?: string;
}

export interface BotApp {
  /** Resolves with the port the HTTP server (events + health routes) listens on. */
  start(): Promise<{ port: number }>;
  /** Stops taking requests, waits (bounded) for work in flight, then closes Redis. */
  stop(): Promise<void>;
  readonly logger: AppLogger;
}

/**
 * One retry per Web API call: whatever a state change owes is retried by the outbox anyway, and a
 * call must end well within the outbox's 30-second delivery lock (10 s timeout, twice, plus backoff).
 */
const DEFAULT_RETRY: webApi.RetryOptions = { retries: 1, factor: 2, minTimeout: 500, maxTimeout: 2000, randomize: true };

/** The composition root: every I/O client is built here and passed down. Tests run exactly this. */
export function createApp(config: Config, overrides: AppOverrides = {}): BotApp {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const redis = createRedis(config.redisUrl);
  // An outage makes ioredis report every reconnect attempt: one line a minute says it all.
  const redisTrouble = onceEvery(60_000);
  redis.on('error', (err: Error) => redisTrouble((suppressed) => logger.warn('redis connection problem', { err: err.message, suppressed })));
  if (config.logLevel === 'debug') {
    logger.warn("LOG_LEVEL=debug: Slack's Web API client logs request bodies (modal contents, reasons); do not use in production");
  }
  const socketMode = Boolean(config.slack.appToken);
  const receiver = socketMode ? undefined : httpReceiver(config, redis, logger);

  const app = new App({
    token: config.slack.botToken,
    logger,
    logLevel: config.logLevel as LogLevel,
    deferInitialization: true,
    extendedErrorHandler: true,
    // No listener uses context.conversation; Bolt's default store would look one up for every request.
    convoStore: false,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      // The Web API client's default retries for ~30 minutes; a DM that late is worse than a logged failure.
      retryConfig: overrides.slackRetryConfig ?? DEFAULT_RETRY,
      timeout: 10_000,
    },
    ...(receiver
      ? { receiver }
      : {
          customRoutes: healthRoutes(redis),
          socketMode: true,
          appToken: config.slack.appToken,
          // Socket Mode's own client opens the connection (apps.connections.open): same API URL.
          installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
        }),
  });

  const now = () => new Date();
  const harnessBudget = new HarnessBudget(redis, config.harness.accountId, config.harness.rateLimitPerMinute, overrides.harnessBudgetWindowMs);
  const budget = new BudgetGate(harnessBudget, logger);
  const { harness, picker } = harnessFor(config, redis, logger, budget);
  const notifier = new SlackNotifier(app.client, { approvalChannelId: config.approvalChannelId, auditChannelId: config.auditChannelId });
  const mirrored = Boolean(config.auditChannelId);
  const store = new RequestStore(redis, config.auditStreamKey, mirrored, now, { hmacKey: config.auditHmacKey, line: harnessBudget.line });
  const registry = new KeyRegistry(redis);
  const audit = new AuditLog(redis, config.auditStreamKey, mirrored, { hmacKey: config.auditHmacKey });
  const checkpoints = new AuditCheckpoints({ redis, streamKey: config.auditStreamKey, hmacKey: config.auditHmacKey, intervalMs: config.auditCheckpointIntervalMs, notifier, logger, now });
  const outboxStore = new OutboxStore(redis);
  const work = new WorkQueue();
  const outbox = new Outbox({ store: outboxStore, requests: store, audit, notifier, work, logger });
  const vault = config.tokens.encryptionKey ? new TokenVault(redis, config.tokens.encryptionKey) : undefined;
  const execution = new Execution({ store, registry, harness, vault, budget, revealTtlMs: config.tokens.revealTtlMs, outbox, notifier, logger, now });
  const refusals = new RefusalWindow(redis);
  const approvers = new ApproverDirectory(config.approvers.userIds, config.approvers.userGroupId, (id) => notifier.userGroupMembers(id));

  const submissions = new SubmissionService({ store, registry, groups: picker, outbox });
  const nextgen = harness.generation === 'nextgen' && vault;
  const reveal = nextgen ? new RevealService({ store, registry, vault, audit, outboxStore, outbox, refusals, logger, now }) : undefined;
  const reconciler = new Reconciler({ store, outboxStore, outbox, execution, reveal, logger, now, harnessTimeoutMs: config.harness.timeoutMs, requestExpiryMs: config.requestExpiryMs });

  registerListeners(app, {
    requests: new RequestService({ store, audit, approvers, execution, outbox, views: new DecisionViews(redis), refusals, logger, now }),
    submissions,
    tokens: nextgen ? new TokenSubmissionService({ submissions, registry, serviceAccounts: picker, maxDays: config.tokens.maxDays }) : undefined,
    reveal,
    harness: { generation: harness.generation, maxDays: config.tokens.maxDays },
    queries: new QueryService({ store, registry, audit, approvers, outbox, refusals }),
    groups: picker,
    work,
    logger,
    storeReady: () => redis.status === 'ready',
  });

  return {
    logger,
    async start() {
      try {
        await app.init();
      } catch (err) {
        throw new Error(startupProblem(err, config.slack.apiUrl), { cause: err });
      }
      if (!(await waitForReady(redis, 3000))) logger.warn('redis not reachable yet; serving anyway, /readyz answers 503 until it is');
      else {
        const moved = await migrateKeys(redis).catch((err: unknown) => logger.error('could not move keys of an earlier version', err));
        if (moved) logger.info('moved keys of an earlier version to their current names', { keys: moved });
      }
      // Readiness depends on Redis only; a wrong Harness key is named now rather than at the first click.
      harness.checkAccess().then(
        () => picker.warm(),
        (err: unknown) =>
          logger.error(
            `Harness ${harness.generation === 'nextgen' ? 'NextGen' : 'FirstGen'} check failed at start-up: check HARNESS_API_KEY, HARNESS_ACCOUNT_ID and HARNESS_API_URL (${config.harness.apiUrl})`,
            err,
          ),
      );
      let port = config.port;
      if (socketMode) await app.start();
      else port = ((await app.start(overrides.host ? { port: config.port, host: overrides.host } : config.port)) as { address(): AddressInfo }).address().port;
      reconciler.start(config.reconcileIntervalMs);
      checkpoints.start();
      if (!config.auditHmacKey) {
        logger.warn('AUDIT_HMAC_KEY is not set: the audit hash chain is plain SHA-256, so anyone with Redis access can append a forged entry with a valid hash; only the checkpoints can catch it (README "Audit trail integrity")');
      }
      logger.info('apikey bot started', { port, socketMode });
      return { port };
    },
    async stop() {
      await app.stop().catch((err: unknown) => logger.warn('error while stopping the Slack receiver', err));
      await reconciler.stop();
      await checkpoints.stop();
      await work.drain(8_000);
      await picker.stop();
      redis.disconnect();
    },
  };
}

/**
 * The Harness generation the configuration names: its backend for approved changes, and the
 * cached list its create modal picks from (user groups on FirstGen, service accounts on NextGen).
 */
function harnessFor(config: Config, redis: Redis, logger: AppLogger, budget: BudgetGate): { harness: HarnessBackend; picker: HarnessDirectory } {
  const h = config.harness;
  const cache = { ttlSeconds: config.userGroupCacheTtlSeconds, logger };
  if (h.generation === 'firstgen') {
    const api = createHarnessClient({ ...h, budget });
    return {
      harness: firstGenBackend(api),
      picker: new HarnessDirectory(redis, () => api.listUserGroups(), { ...cache, what: 'user groups', cacheKey: 'usergroups' }),
    };
  }
  const api = createNextGenClient({ baseUrl: h.apiUrl, accountId: h.accountId, orgId: h.orgId, projectId: h.projectId, apiKey: h.apiKey, timeoutMs: h.timeoutMs, budget });
  const fetchAll = async () => (await api.listServiceAccounts()).map((sa) => ({ id: sa.identifier, name: sa.name }));
  const scope = h.projectId ? `project ${h.orgId ?? '?'}/${h.projectId}` : h.orgId ? `org ${h.orgId}` : 'account';
  return { harness: nextGenBackend(api, { scope }), picker: new HarnessDirectory(redis, fetchAll, { ...cache, what: 'service accounts', cacheKey: 'serviceaccounts' }) };
}
