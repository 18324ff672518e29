import { randomBytes } from 'node:crypto';
import type { HarnessErrorKind } from './harness/harness-error';

/**
 * Typed errors with a code, and the one place that turns any error into words for a person.
 * An AppError's message is written for the person; anything else is a bug: the person reads a
 * short "something went wrong (ref …)" and the log line with the same ref has the details.
 * Refusals (not an approver, four-eyes, already decided) are verdicts, not errors: domain/approval-policy.ts.
 */
export type ErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_CORRUPT'
  | 'NOT_FOUND'
  | 'APPROVER_CHECK_FAILED'
  | 'GROUPS_UNAVAILABLE'
  | `HARNESS_${Uppercase<HarnessErrorKind>}`;

/** Codes that mean the bot itself is wrong, not the world around it. */
const BUGS: ReadonlySet<ErrorCode> = new Set(['STORE_CORRUPT']);

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
  new AppError('STORE_UNAVAILABLE', 'The API key service is temporarily unavailable (it cannot reach its database). Nothing was changed; please try again in a minute.', {
    cause,
  });

/** An expected failure (an outage, a refusal by Harness) rather than a bug. */
export function isExpected(err: unknown): err is AppError {
  return err instanceof AppError && !BUGS.has(err.code);
}

/** A short id that ties what a person was told to the log line with the details. */
export const newErrorRef = () => randomBytes(3).toString('hex');

/** What a person reads about `err`. Unexpected errors need the `ref` their log line carries. */
export function userMessage(err: unknown, ref?: string): string {
  if (isExpected(err)) return err.message;
  return `Something went wrong on our side${ref ? ` (ref ${ref})` : ''}. The bot operators can find the details in its log.`;
}
