import { isMainThread, parentPort, workerData } from 'node:worker_threads';
// The Web API client alone, not Bolt: this thread serves no HTTP and should not carry Express.
import { WebClient, type LogLevel, type RetryOptions } from '@slack/web-api';
import { secretsOf, type Config } from '../config';
import { createKeepAliveFetch } from '../http/keep-alive-fetch';
import { createLogger } from '../logger';
import { buildServices } from '../services/build';
import { createRedis, waitForReady } from '../store/redis';
import { runJob } from './handlers';
import { JobQueue } from './job-queue';
import { isUrgent, type Job } from './jobs';
import { startReconciler } from './reconciler';

export interface WorkerData {
  config: Config;
  reconcileIntervalMs: number;
  /** The receiver's Web API retry policy (app.ts), so both threads retry alike. */
  slackRetryConfig: RetryOptions;
}

export type WorkerMessage = { type: 'job'; job: Job } | { type: 'stop' };

/** The background executor's thread: the same services as the receiver, its own clients. */
async function main(data: WorkerData) {
  const { config } = data;
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) }).child({ thread: 'executor' });
  const redis = createRedis(config.redisUrl, { name: 'apikey-bot-executor' });
  redis.on('error', (err: Error) => logger.warn('redis connection problem', { err: err.message }));
  // One keep-alive fetch for Slack and Harness: this thread makes ~5 calls per approval.
  const fetch = createKeepAliveFetch();
  const slack = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    fetch,
    logger,
    logLevel: config.logLevel as LogLevel,
    retryConfig: data.slackRetryConfig,
    timeout: 10_000,
  });
  const services = buildServices(config, { redis, slack, logger, fetch });
  const queue = new JobQueue<Job>((job) => runJob(services, logger, job));
  await waitForReady(redis, 3000);
  const stopReconciler = startReconciler(services.requests, logger, data.reconcileIntervalMs);
  logger.info('background executor started');

  parentPort!.on('message', (message: WorkerMessage) => {
    if (message.type === 'job') {
      queue.push(message.job, isUrgent(message.job));
      return;
    }
    stopReconciler();
    void queue.drain(8000).then(() => {
      redis.disconnect();
      // Ends this thread only; the Web API client's idle keep-alive sockets would hold it open.
      process.exit(0);
    });
  });
}

if (!isMainThread && parentPort) void main(workerData as WorkerData);
