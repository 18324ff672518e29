import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallBudget } from '../harness/call-budget';
import type { AppLogger } from '../logger';
import type { HarnessBudget } from '../store/harness-budget';

/**
 * Keeps every replica inside Harness's per-account budget (HARNESS_RATE_LIMIT_PER_MINUTE): each
 * Harness call waits for a slot in the shared sliding window; the calls of an approved change
 * wait in approval order, however long, and never fail for lack of budget (their execution's
 * heartbeat tells the reconciler they are alive).
 */
export class BudgetGate implements CallBudget {
  private readonly turn = new AsyncLocalStorage<{ ticket: string; onQueued: (ahead: number) => void }>();
  /** Turns running now: the storage is switched off when none is (see inTurn). */
  private running = 0;

  constructor(
    private readonly budget: HarnessBudget,
    private readonly logger: AppLogger,
  ) {}

  async beforeCall(): Promise<() => Promise<void>> {
    const turn = this.turn.getStore();
    for (;;) {
      const slot = await this.budget.tryAcquire(turn?.ticket);
      const member = slot.member;
      if (member) return () => this.budget.ended(member).catch((err: unknown) => this.logger.warn('could not re-stamp a Harness call', err));
      if (turn) turn.onQueued(slot.ahead);
      await new Promise((r) => setTimeout(r, Math.min(slot.waitMs, 1000)));
    }
  }

  async rateLimited(): Promise<void> {
    // Something else spends this account's budget too: treat the window as full and wait it out.
    this.logger.warn('Harness answered 429 inside the bot\'s budget: waiting for the window to clear', { limitPerMinute: this.budget.limit });
    await this.budget.exhausted();
  }

  /** Runs the Harness calls of one approved change when its turn comes (approval order). */
  async inTurn<T>(ticket: string, approvedAtMs: number, onQueued: (ahead: number) => void, work: () => Promise<T>): Promise<T> {
    await this.budget.join(ticket, approvedAtMs);
    this.running++;
    try {
      return await this.turn.run({ ticket, onQueued }, work);
    } finally {
      // Once used, an AsyncLocalStorage keeps a hook on every promise of the process (all of
      // Bolt's); switched off between turns, the acks meanwhile pay nothing for it (the audit
      // review made 16% more young-generation garbage with it on).
      if (--this.running === 0) this.turn.disable();
      await this.budget.leave(ticket).catch((err: unknown) => this.logger.warn('could not leave the Harness queue', err, { ticket }));
    }
  }
}
