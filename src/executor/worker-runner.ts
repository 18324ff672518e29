import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import type { AppLogger } from '../logger';
import type { Job, JobRunner } from './jobs';
import { BACKGROUND_NICE, deprioritiseBackgroundThreads } from './thread-priority';
import type { WorkerData, WorkerMessage } from './worker';

/**
 * Runs jobs on a worker thread with its own Redis connection and Slack client, so the receiver's
 * event loop only parses, verifies and acks. A worker that dies is replaced; what it had under
 * way is finished by the reconciler (approvals) or logged (notifications).
 */
export class WorkerRunner implements JobRunner {
  private worker?: Worker;
  private stopping = false;

  constructor(
    private readonly data: WorkerData,
    private readonly logger: AppLogger,
    private readonly script = path.join(__dirname, 'worker.js'),
  ) {}

  static forConfig(config: Config, logger: AppLogger, options: Omit<WorkerData, 'config'>): WorkerRunner {
    return new WorkerRunner({ config, ...options }, logger);
  }

  run(job: Job): void {
    if (!this.worker) {
      this.logger.error('background executor not running; job dropped', { job: job.type });
      return;
    }
    this.worker.postMessage({ type: 'job', job } satisfies WorkerMessage);
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.script, { workerData: this.data });
      this.worker = worker;
      worker.once('online', () => {
        // The executor thread now exists; it, V8's GC helpers and libuv's pool yield to the receiver.
        const { niced, idle } = deprioritiseBackgroundThreads();
        this.logger.debug('background threads deprioritised', { threads: niced, nice: BACKGROUND_NICE, schedIdle: idle });
        resolve();
      });
      worker.once('error', (err) => {
        this.logger.error('background executor crashed', err);
        reject(err);
      });
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (this.stopping) return;
        this.logger.error('background executor exited; starting a new one', { code });
        setTimeout(() => void this.start().catch(() => undefined), 500).unref();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies WorkerMessage);
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
