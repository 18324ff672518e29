import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import { secretsOf, type Config } from './config';
import { createHarnessClient } from './harness/firstgen/client';
import { createLogger, onceEvery, type AppLogger } from './logger';
import { ApproverDirectory } from './services/approvers';
import { Execution } from './services/execution';
import { Outbox } from './services/outbox';
import { QueryService } from './services/queries';
import { Reconciler } from './services/reconciler';
import { RequestService } from './services/request-service';
import { SubmissionService } from './services/submissions';
import { UserGroupDirectory } from './services/user-groups';
import { WorkQueue } from './services/work-queue';
import { registerListeners } from './slack/listeners';
import { SlackNotifier } from './slack/slack-notifier';
import { startupProblem } from './slack/startup';
import { AuditLog } from './store/audit-log';
import { KeyRegistry } from './store/key-registry';
import { OutboxStore } from './store/outbox-store';
import { createRedis, waitForReady } from './store/redis';
import { RequestStore } from './store/request-store';

export interface AppOverrides {
  logger?: AppLogger;
  /** Web API retry policy; tests use { retries: 0 }. */
  slackRetryConfig?: webApi.RetryOptions;
}

export interface BotApp {
  /** Resolves with the port the HTTP server (events + health routes) listens on. */
  start(): Promise<{ port: number }>;
  /** Stops taking requests, waits (bounded) for work in flight, then closes Redis. */
  stop(): Promise<void>;
  readonly logger: AppLogger;
}

const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: true };

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
    customRoutes: healthRoutes(redis),
    ...(socketMode
      ? {
          socketMode: true,
          appToken: config.slack.appToken,
          // Socket Mode's own client opens the connection (apps.connections.open): same API URL.
          installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
        }
      : { signingSecret: config.slack.signingSecret, port: config.port }),
  });

  const now = () => new Date();
  const harness = createHarnessClient(config.harness);
  const notifier = new SlackNotifier(app.client, { approvalChannelId: config.approvalChannelId, auditChannelId: config.auditChannelId });
  const mirrored = Boolean(config.auditChannelId);
  const store = new RequestStore(redis, config.auditStreamKey, mirrored);
  const registry = new KeyRegistry(redis);
  const audit = new AuditLog(redis, config.auditStreamKey, mirrored);
  const outboxStore = new OutboxStore(redis);
  const work = new WorkQueue();
  const outbox = new Outbox({ store: outboxStore, requests: store, audit, notifier, work, logger });
  const execution = new Execution({ store, registry, harness, outbox, notifier, logger, now });
  const approvers = new ApproverDirectory(config.approvers.userIds, config.approvers.userGroupId, (id) => notifier.userGroupMembers(id));
  const groups = new UserGroupDirectory(redis, harness, config.userGroupCacheTtlSeconds, logger);
  const reconciler = new Reconciler({ store, outboxStore, outbox, execution, logger, now, harnessTimeoutMs: config.harness.timeoutMs });

  registerListeners(app, {
    requests: new RequestService({ store, audit, approvers, execution, outbox, logger, now }),
    submissions: new SubmissionService({ store, registry, groups, outbox }),
    queries: new QueryService({ store, registry, audit, approvers, outbox }),
    groups,
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
      // Readiness depends on Redis only; a wrong Harness key is named now rather than at the first click.
      harness.checkAccess().then(
        () => groups.warm(),
        (err: unknown) => logger.error(`Harness check failed at start-up: check HARNESS_API_KEY, HARNESS_ACCOUNT_ID and HARNESS_API_URL (${config.harness.apiUrl})`, err),
      );
      let port = config.port;
      if (socketMode) await app.start();
      else port = ((await app.start(config.port)) as { address(): AddressInfo }).address().port;
      reconciler.start(config.reconcileIntervalMs);
      logger.info('apikey bot started', { port, socketMode });
      return { port };
    },
    async stop() {
      await app.stop().catch((err: unknown) => logger.warn('error while stopping the Slack receiver', err));
      await reconciler.stop();
      await work.drain(8_000);
      redis.disconnect();
    },
  };
}

function healthRoutes(redis: Redis) {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => send(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        try {
          if (redis.status !== 'ready') throw new Error(redis.status);
          await redis.ping();
          send(res, 200, { status: 'ready', redis: 'ok' });
        } catch {
          send(res, 503, { status: 'unavailable', redis: 'unreachable' });
        }
      },
    },
  ];
}
