import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import { secretsOf, type Config } from './config';
import { createHarnessClient, type HarnessApi } from './harness/client';
import { createLogger, type AppLogger } from './logger';
import { ApproverDirectory } from './services/approvers';
import { QueryService } from './services/queries';
import { RequestService } from './services/request-service';
import { SubmissionService } from './services/submissions';
import { UserGroupDirectory } from './services/user-groups';
import { registerListeners } from './slack/listeners';
import { SlackNotifier } from './slack/slack-notifier';
import { AuditLog } from './store/audit-log';
import { KeyRegistry } from './store/key-registry';
import { createRedis, waitForReady } from './store/redis';
import { RequestStore } from './store/request-store';

export interface AppOverrides {
  logger?: AppLogger;
  /** Web API retry policy; tests use { retries: 0 }. */
  slackRetryConfig?: webApi.RetryOptions;
  harness?: HarnessApi;
  reconcileIntervalMs?: number;
}

export interface RunningApp {
  /** The port the HTTP server (events + health routes) listens on. */
  port: number;
}

export interface BotApp {
  start(): Promise<RunningApp>;
  stop(): Promise<void>;
  readonly requests: RequestService;
  readonly redis: Redis;
  readonly logger: AppLogger;
}

/** The composition root: every I/O client is built here and passed down. */
export function createApp(config: Config, overrides: AppOverrides = {}): BotApp {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err: Error) => logger.warn('redis connection problem', { err: err.message }));
  if (config.logLevel === 'debug') {
    logger.warn("LOG_LEVEL=debug: Slack's Web API client logs request bodies (modal contents, reasons); do not use in production");
  }

  const harness = overrides.harness ?? createHarnessClient(config.harness);
  const socketMode = Boolean(config.slack.appToken);
  const customRoutes = healthRoutes(redis);

  const app = new App({
    token: config.slack.botToken,
    logger,
    logLevel: config.logLevel as LogLevel,
    deferInitialization: true,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      // The Web API client's default retries for ~30 minutes; a DM that late is worse than a logged failure.
      retryConfig: overrides.slackRetryConfig ?? { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: true },
      timeout: 10_000,
    },
    customRoutes,
    ...(socketMode
      ? {
          socketMode: true,
          appToken: config.slack.appToken,
          // Socket Mode's own client opens the connection (apps.connections.open): same API URL.
          installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
        }
      : { signingSecret: config.slack.signingSecret, port: config.port }),
  });

  const notifier = new SlackNotifier(
    app.client,
    redis,
    { approvalChannelId: config.approvalChannelId, auditChannelId: config.auditChannelId, auditStreamKey: config.auditStreamKey },
    logger,
  );
  const groups = new UserGroupDirectory(redis, harness, config.userGroupCacheTtlSeconds, logger);
  const approvers = new ApproverDirectory(config.approvers.userIds, config.approvers.userGroupId, (id) => notifier.userGroupMembers(id));
  const store = new RequestStore(redis, config.auditStreamKey);
  const registry = new KeyRegistry(redis);
  const audit = new AuditLog(redis, config.auditStreamKey);
  const submissions = new SubmissionService({ store, registry, groups });
  const queries = new QueryService({ store, registry, audit, approvers });
  const requests = new RequestService({
    store,
    registry,
    audit,
    harness,
    approvers,
    notifier,
    logger,
    harnessTimeoutMs: config.harness.timeoutMs,
  });

  registerListeners(app, { requests, submissions, queries, groups, notifier, logger, storeReady: () => redis.status === 'ready' });
  // The one place where errors no listener handled end: logged with context, never re-thrown.
  app.error((err) => {
    logger.error('unhandled error in a Slack listener', err);
    return Promise.resolve();
  });

  let reconciler: NodeJS.Timeout | undefined;
  const reconcile = () =>
    requests.reconcile().catch((err: unknown) => logger.warn('reconciler pass failed (will retry)', { err: (err as Error).message }));

  return {
    requests,
    redis,
    logger,
    async start() {
      await app.init();
      if (!(await waitForReady(redis, 3000))) logger.warn('redis not reachable yet; serving anyway, /readyz answers 503 until it is');
      let port = config.port;
      if (socketMode) {
        await app.start();
      } else {
        const server = await app.start(config.port);
        port = (server.address() as AddressInfo).port;
      }
      void reconcile();
      reconciler = setInterval(() => void reconcile(), overrides.reconcileIntervalMs ?? 15_000);
      reconciler.unref();
      logger.info('apikey bot started', { port, socketMode });
      return { port };
    },
    async stop() {
      if (reconciler) clearInterval(reconciler);
      await app.stop().catch((err: unknown) => logger.warn('error while stopping the Slack receiver', err));
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
