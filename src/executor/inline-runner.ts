import type { AppLogger } from '../logger';
import type { Services } from '../services/build';
import { runJob } from './handlers';
import { JobQueue } from './job-queue';
import { isUrgent, type Job, type JobRunner } from './jobs';
import { startReconciler } from './reconciler';

/** Runs jobs on the receiver's own event loop (tests, and `EXECUTOR=inline`). */
export class InlineRunner implements JobRunner {
  private readonly queue: JobQueue<Job>;
  private stopReconciler?: () => void;

  constructor(
    private readonly services: Services,
    private readonly logger: AppLogger,
    private readonly reconcileIntervalMs: number,
  ) {
    this.queue = new JobQueue((job) => runJob(services, logger, job));
  }

  run(job: Job): void {
    this.queue.push(job, isUrgent(job));
  }

  start(): Promise<void> {
    this.stopReconciler = startReconciler(this.services.requests, this.logger, this.reconcileIntervalMs);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopReconciler?.();
    await this.queue.drain(5000);
  }
}
