import type { AppLogger } from '../logger';
import type { RequestStore } from '../store/request-store';
import type { OutboxStore } from '../store/outbox-store';
import type { Execution } from './execution';
import type { Outbox } from './outbox';
import type { RevealService } from './reveal';

const PAGE = 500;

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
      /** A request nobody decides on within this long expires (its name and key are freed). */
      requestExpiryMs: number;
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
    // Every open request, a page at a time: pending ones pile up until they are decided or expire.
    for (let offset = 0; ; offset += PAGE) {
      const ids = await this.deps.store.openIds(PAGE, offset);
      for (const id of ids) if (await this.look(id, now)) handled++;
      if (ids.length < PAGE) break;
    }
    if (this.deps.reveal) handled += await this.deps.reveal.expireUnrevealed();
    // Owed for a few seconds: the replica that owes it is not delivering (crashed, or Slack failed).
    for (const subject of await this.deps.outboxStore.due(3_000)) {
      if ((await this.deps.outbox.deliver(subject)) > 0) handled++;
    }
    return handled;
  }

  /** Starts what request `id` needs, if anything. Executions run on their own (they may wait for Harness's budget). */
  private async look(id: string, now: number): Promise<boolean> {
    const request = await this.deps.store.get(id);
    if (!request) return false;
    const age = now - Date.parse(request.updatedAt);
    const background = (what: string, work: Promise<unknown>) => void work.catch((err: unknown) => this.deps.logger.warn(`reconciler could not ${what}`, err, { requestId: id }));
    if (request.state === 'pending' && age > this.deps.requestExpiryMs) {
      await this.deps.store.transition(request, 'expired', { actorId: 'system', audit: { event: 'expired', detail: 'no approver decided in time' } });
      this.deps.outbox.soon(id);
      return true;
    }
    if (request.state === 'approved' && age > 5_000) {
      this.deps.logger.info('reconciler executing an approved request', { requestId: id });
      background('execute an approved request', this.deps.execution.execute(request));
      return true;
    }
    // No heartbeat for longer than any Harness call takes: the replica running it is gone.
    if (request.state === 'executing' && now - Date.parse(request.heartbeatAt ?? request.updatedAt) > this.deps.harnessTimeoutMs + 30_000) {
      if (!(await this.deps.store.claimRecovery(id, this.deps.harnessTimeoutMs * 3 + 60_000))) return false;
      this.deps.logger.warn('reconciler recovering a request left executing', { requestId: id, harnessCalled: Boolean(request.harnessCalledAt) });
      background('recover a request left executing', this.deps.execution.recover(request));
      return true;
    }
    return false;
  }
}
