import type { AppLogger } from '../logger';
import type { RequestStore } from '../store/request-store';
import type { OutboxStore } from '../store/outbox-store';
import { UNKNOWN_OUTCOME, type Execution } from './execution';
import type { Outbox } from './outbox';
import type { RevealService } from './reveal';

/**
 * Finishes what a crashed or disconnected replica left behind, on every replica, every few
 * seconds: `approved` requests are executed (the claim keeps that to one replica); `executing`
 * ones older than any Harness call can take have an unknown outcome and are failed with words
 * that say so, never re-sent; notifications still owed are delivered.
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly deps: {
      store: RequestStore;
      outboxStore: OutboxStore;
      outbox: Outbox;
      execution: Execution;
      /** NextGen: reveal windows that passed are audited and the DM rewritten. */
      reveal?: RevealService;
      logger: AppLogger;
      now: () => Date;
      harnessTimeoutMs: number;
    },
  ) {}

  start(intervalMs: number): void {
    const pass = () => {
      this.running ??= this.pass()
        .catch((err: unknown) => this.deps.logger.warn('reconciler pass failed (will retry)', err))
        .finally(() => (this.running = undefined));
    };
    pass();
    this.timer = setInterval(pass, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many requests and outboxes it handled. */
  async pass(): Promise<number> {
    let handled = 0;
    const now = this.deps.now().getTime();
    for (const id of await this.deps.store.openIds()) {
      const request = await this.deps.store.get(id);
      if (!request) continue;
      const age = now - Date.parse(request.updatedAt);
      if (request.state === 'approved' && age > 5_000) {
        this.deps.logger.info('reconciler executing an approved request', { requestId: id });
        await this.deps.execution.execute(request);
        handled++;
      } else if (request.state === 'executing' && age > this.deps.harnessTimeoutMs + 30_000) {
        this.deps.logger.warn('reconciler failing a request with unknown outcome', { requestId: id });
        await this.deps.execution.finish(request, 'failed', { actorId: 'system', patch: { error: UNKNOWN_OUTCOME }, audit: { event: 'failed', detail: UNKNOWN_OUTCOME } });
        handled++;
      }
    }
    if (this.deps.reveal) handled += await this.deps.reveal.expireUnrevealed();
    // Owed for a few seconds: the replica that owes it is not delivering (crashed, or Slack failed).
    for (const subject of await this.deps.outboxStore.due(3_000)) {
      if ((await this.deps.outbox.deliver(subject)) > 0) handled++;
    }
    return handled;
  }
}
