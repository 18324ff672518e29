import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import { secretsOf, type Config } from './config';
import { createKeepAliveFetch } from './http/keep-alive-fetch';
import { createLogger, type AppLogger } from './logger';
import { InlineRunner } from './executor/inline-runner';
import type { JobRunner } from './executor/jobs';
import { WorkerRunner } from './executor/worker-runner';
import { buildServices } from './services/build';
import { registerListeners } from './slack/listeners';
import { createRedis, waitForReady } from './store/redis';

export interface AppOverrides {
  logger?: AppLogger;
  /** Web API retry policy; tests use { retries: 0 }. */
  slackRetryConfig?: webApi.RetryOptions;
  reconcileIntervalMs?: number;
  /**
   * Overrides config.executor. Tests running TypeScript sources use `inline` (a worker thread
   * needs the compiled dist/executor/worker.js); the compiled-process test covers `worker`.
   */
  executor?: 'worker' | 'inline';
}

export interface RunningApp {
  /** The port the HTTP server (events + health routes) listens on. */
  port: number;
}

export interface BotApp {
  start(): Promise<RunningApp>;
  stop(): Promise<void>;
  readonly logger: AppLogger;
}

const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000, randomize: true };

/** The composition root: every I/O client is built here and passed down. */
export function createApp(config: Config, overrides: AppOverrides = {}): BotApp {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err: Error) => logger.warn('redis connection problem', { err: err.message }));
  if (config.logLevel === 'debug') {
    logger.warn("LOG_LEVEL=debug: Slack's Web API client logs request bodies (modal contents, reasons); do not use in production");
  }
  const socketMode = Boolean(config.slack.appToken);
  const retryConfig = overrides.slackRetryConfig ?? DEFAULT_RETRY;
  const fetch = createKeepAliveFetch();

  const app = new App({
    token: config.slack.botToken,
    logger,
    logLevel: config.logLevel as LogLevel,
    deferInitialization: true,
    // No listener uses context.conversation; Bolt's default store would look one up (and build a
    // "Conversation not found" error) for every request from a channel.
    convoStore: false,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      fetch,
      // The Web API client's default retries for ~30 minutes; a DM that late is worse than a logged failure.
      retryConfig,
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

  const services = buildServices(config, { redis, slack: app.client, logger, fetch });
  const reconcileIntervalMs = overrides.reconcileIntervalMs ?? 15_000;
  const jobs: JobRunner =
    (overrides.executor ?? config.executor) === 'worker'
      ? WorkerRunner.forConfig(config, logger, { reconcileIntervalMs, slackRetryConfig: retryConfig })
      : new InlineRunner(services, logger, reconcileIntervalMs);

  registerListeners(app, { ...services, jobs, logger, storeReady: () => redis.status === 'ready' });
  // The one place where errors no listener handled end: logged with context, never re-thrown.
  app.error((err) => {
    logger.error('unhandled error in a Slack listener', err);
    return Promise.resolve();
  });

  return {
    logger,
    async start() {
      await app.init();
      if (!(await waitForReady(redis, 3000))) logger.warn('redis not reachable yet; serving anyway, /readyz answers 503 until it is');
      await jobs.start();
      let port = config.port;
      if (socketMode) {
        await app.start();
      } else {
        const server = await app.start(config.port);
        port = (server.address() as AddressInfo).port;
      }
      logger.info('apikey bot started', { port, socketMode, executor: overrides.executor ?? config.executor });
      return { port };
    },
    async stop() {
      await app.stop().catch((err: unknown) => logger.warn('error while stopping the Slack receiver', err));
      await jobs.stop();
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
