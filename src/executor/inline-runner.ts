import type { AppLogger } from '../logger';
import type { Services } from '../services/build';
import { runJob } from './handlers';
import type { Job, JobRunner } from './jobs';
import { startReconciler } from './reconciler';

/** Runs jobs on the receiver's own event loop (tests, and `EXECUTOR=inline`). */
export class InlineRunner implements JobRunner {
  private readonly running = new Set<Promise<void>>();
  private stopReconciler?: () => void;

  constructor(
    private readonly services: Services,
    private readonly logger: AppLogger,
    private readonly reconcileIntervalMs: number,
  ) {}

  run(job: Job): void {
    const p = runJob(this.services, this.logger, job).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  start(): Promise<void> {
    this.stopReconciler = startReconciler(this.services.requests, this.logger, this.reconcileIntervalMs);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopReconciler?.();
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
