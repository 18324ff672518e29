/**
 * Typed errors with a code. `userMessage` is the one place that turns an error into words for a
 * person in Slack; anything that is not an AppError is a bug, gets a generic sentence, and is
 * logged with its context by the caller.
 */
export type ErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'NOT_FOUND'
  | 'APPROVER_CHECK_FAILED'
  | 'GROUPS_UNAVAILABLE';
// Harness failures are HarnessError (harness/harness-error.ts), with a kind of their own.
// Refusals (not an approver, four-eyes, already decided) are verdicts, not errors: domain/approval-policy.ts.

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const storeUnavailable = (cause?: unknown) =>
  new AppError(
    'STORE_UNAVAILABLE',
    'The API key service is temporarily unavailable (its audit log cannot be written right now). Nothing was changed. Please try again in a minute.',
    { cause },
  );

export function userMessage(err: unknown): string {
  if (err instanceof AppError) return err.message;
  if (err instanceof Error && err.name === 'HarnessError') return err.message;
  return 'Something went wrong on our side. Nothing was changed; the error has been logged for the bot operators.';
}
