/**
 * Runs jobs with bounded concurrency. A burst of acks (hundreds of approvals a second) queues
 * small job objects instead of starting hundreds of Slack and Harness calls at once, which keeps
 * memory flat and lets each job finish quickly.
 */
export class JobQueue<J> {
  private readonly waiting: J[] = [];
  private active = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly handle: (job: J) => Promise<void>,
    private readonly concurrency = 32,
  ) {}

  /** `urgent` jobs go to the front: a modal must open within its trigger_id's 3 seconds. */
  push(job: J, urgent = false): void {
    if (urgent) this.waiting.unshift(job);
    else this.waiting.push(job);
    this.pump();
  }

  get size(): number {
    return this.waiting.length + this.active;
  }

  /** Resolves when nothing is queued or running, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.active++;
      // handle() never rejects (runJob ends every error), but a bug must not stall the queue.
      void this.handle(job)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
          if (this.size === 0) for (const done of this.idle.splice(0)) done();
        });
    }
  }
}
