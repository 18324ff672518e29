import { AppError } from '../errors';

/**
 * One error type for everything that can go wrong talking to Harness, with a kind the caller can
 * act on and a message a person can read. The raw transport error is kept as `cause` for the
 * logs (it never contains the API key: that travels in a header graphql-request does not echo).
 */
export type HarnessErrorKind =
  | 'rejected' // GraphQL `errors` with HTTP 200: Harness refused the operation
  | 'unauthorized' // 401: the bot's key is wrong or revoked
  | 'forbidden' // the key lacks a permission, or the plan lacks the feature
  | 'rate_limited' // 429, which Harness sends without Retry-After
  | 'unavailable' // 5xx or a gateway page
  | 'timeout'
  | 'network'
  | 'bad_response' // a 2xx body that is not what the schema promises
  // NextGen REST only (src/harness/nextgen):
  | 'not_found' // the service account, API key or token does not exist
  | 'limit' // 5 API keys per service account, or 5 tokens per API key, already reached
  | 'conflict' // the identifier is taken (Harness compares key and token identifiers ignoring case)
  | 'uncertain'; // a write failed in a way that may have changed Harness (5xx, half-done rotation): list again before deciding

/** An AppError whose code names the kind (`HARNESS_RATE_LIMITED`, ...); its message is for a person. */
export class HarnessError extends AppError {
  constructor(
    readonly kind: HarnessErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`HARNESS_${kind.toUpperCase() as Uppercase<HarnessErrorKind>}`, message, options);
    this.name = 'HarnessError';
  }
}

const PREFIX = /^Exception while fetching data \([^)]*\) : /;

/** Harness wraps resolver errors as "Exception while fetching data (/createApiKey) : Duplicate name foo". */
export function cleanHarnessMessage(message: string): string {
  const text = message.replace(PREFIX, '').trim();
  if (/^apiKeyEntry is null for id/i.test(text)) return 'No such API key in this Harness account.';
  return text;
}

export function classifyGraphqlMessage(message: string): HarnessErrorKind {
  if (/not authorized|Operation not permitted/i.test(message)) return 'forbidden';
  if (/rate limit/i.test(message)) return 'rate_limited';
  return 'rejected';
}
