/**
 * Harness's per-account call budget, as the clients see it: wait for a slot before each call
 * (services/harness-budget.ts shares it between replicas), and say when Harness answered 429
 * anyway. A 429 means Harness refused before acting, so the call may be sent again once the
 * budget has room: that is waiting it out, not a blind retry.
 */
export interface CallBudget {
  /** Waits for a slot; the returned function is called when the call has ended (Harness counted it by then). */
  beforeCall(): Promise<() => Promise<void>>;
  rateLimited(): Promise<void>;
}

/** How many times one call is sent again after 429s before the 429 is reported. */
export const RATE_LIMIT_RETRIES = 2;
