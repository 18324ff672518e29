import PQueue from 'p-queue';

/**
 * Work that runs after Slack has been answered (Harness calls, messages), in this process, with
 * bounded concurrency: a burst of clicks queues instead of opening hundreds of sockets at once.
 */
export class WorkQueue {
  private readonly queue: PQueue;
  private closed = false;

  constructor(concurrency = 16) {
    this.queue = new PQueue({ concurrency });
  }

  /** Runs `task` when a slot is free; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.add(task);
  }

  /** Starts `task` when a slot is free, without waiting for it; `onError` sees its failure. */
  later(task: () => Promise<unknown>, onError: (err: unknown) => void): void {
    if (this.closed) return;
    this.queue.add(task).catch(onError);
  }

  get size(): number {
    return this.queue.size + this.queue.pending;
  }

  /** Takes no more background work, then waits (at most `timeoutMs`) for what is queued or running. */
  async drain(timeoutMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.onIdle(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
