import type { AppLogger } from '../logger';
import type { RequestStore } from '../store/request-store';
import type { OutboxStore } from '../store/outbox-store';
import type { Execution } from './execution';
import type { Outbox } from './outbox';
import type { RevealService } from './reveal';

/**
 * Finishes what a crashed or disconnected replica left behind, on every replica, every few
 * seconds: `approved` requests are executed (the claim keeps that to one replica); `executing`
 * ones whose heartbeat stopped (the replica running them died) are recovered: carried out if
 * Harness was never called, else Harness is asked what happened (services/execution.ts);
 * notifications still owed are delivered.
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
      } else if (request.state === 'executing' && now - Date.parse(request.heartbeatAt ?? request.updatedAt) > this.deps.harnessTimeoutMs + 30_000) {
        // No heartbeat for longer than any Harness call takes: the replica running it is gone.
        if (!(await this.deps.store.claimRecovery(id, this.deps.harnessTimeoutMs * 3 + 60_000))) continue;
        this.deps.logger.warn('reconciler recovering a request left executing', { requestId: id, harnessCalled: Boolean(request.harnessCalledAt) });
        await this.deps.execution.recover(request);
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
