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
  | 'STORE_REJECTED'
  | 'NOT_FOUND'
  | 'APPROVER_CHECK_FAILED'
  | 'GROUPS_UNAVAILABLE'
  | `HARNESS_${Uppercase<HarnessErrorKind>}`;

/** Codes whose message a person can act on (an outage, a refusal, an input to fix). */
const TOLD: ReadonlySet<ErrorCode> = new Set(['STORE_UNAVAILABLE', 'STORE_REJECTED', 'NOT_FOUND', 'APPROVER_CHECK_FAILED', 'GROUPS_UNAVAILABLE']);
/** Codes that mean the bot itself let something wrong through: logged as errors, with context. */
const BUGS: ReadonlySet<ErrorCode> = new Set(['STORE_CORRUPT', 'STORE_REJECTED']);

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

/** A failure whose own message a person should read (an outage, a refusal by Harness, an input error). */
export function isExpected(err: unknown): err is AppError {
  return err instanceof AppError && (TOLD.has(err.code) || err.code.startsWith('HARNESS_'));
}

/** Whether `err` shows a bug in the bot (to be logged as an error): anything not an AppError, and some that are. */
export function isBug(err: unknown): boolean {
  return !(err instanceof AppError) || BUGS.has(err.code);
}

/** A short id that ties what a person was told to the log line with the details. */
export const newErrorRef = () => randomBytes(3).toString('hex');

/** What a person reads about `err`. Unexpected errors need the `ref` their log line carries. */
export function userMessage(err: unknown, ref?: string): string {
  if (isExpected(err)) return err.message;
  return `Something went wrong on our side${ref ? ` (ref ${ref})` : ''}. The bot operators can find the details in its log.`;
}
