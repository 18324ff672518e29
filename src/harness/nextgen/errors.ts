import { HarnessError, type HarnessErrorKind } from '../harness-error';
import { errorBodySchema, type ErrorBody } from './schemas';

/**
 * Harness NextGen errors in plain words (FACTS.md section 3). The message is for the person in Slack
 * and says what to do; `details` is for the operator log (Harness's code, correlation id, the
 * missing permission). Neither ever holds the bot's API key or a token value: everything Harness
 * sends back goes through `redact` first, because its messages echo request data.
 */
export interface NextGenErrorDetails {
  operation: string;
  code?: string;
  correlationId?: string;
  harnessMessage?: string;
  /** NG_ACCESS_DENIED: what to grant, and on what. */
  permission?: string;
  resourceType?: string;
  resourceIdentifier?: string;
  /** The kind before a half-done rotation turned it into 'uncertain'. */
  underlyingKind?: HarnessErrorKind;
}

export class NextGenError extends HarnessError {
  constructor(
    kind: HarnessErrorKind,
    message: string,
    status: number | undefined,
    readonly details: NextGenErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(kind, message, status, options);
  }
}

/** What the failed call was trying to do, in words, and what it would take to fix a limit. */
export interface OperationContext {
  operation: string;
  what: string; // "create the token t1 under API key k1"
  write: boolean;
  limitAdvice?: string;
}

const TOKEN_LIKE = /\b(?:pat|sat)\.[A-Za-z0-9._-]+/g;

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(TOKEN_LIKE, '[redacted token]');
  return out.length > 300 ? `${out.slice(0, 297)}...` : out;
}

/** "Invalid request: Token's validTo cannot be set before current time TokenDTO: [TokenDTO(...)]" → the sentence alone. */
function clean(message: string): string {
  return message
    .replace(/^(Invalid request|Invalid argument\(s\)): /, '')
    .replace(/\s*TokenDTO: \[.*$/s, '')
    .trim();
}

function harnessText(body: ErrorBody): string | undefined {
  if (body.errors && body.errors.length > 0) {
    return body.errors.map((e) => (e.fieldId ? `${e.fieldId}: ${e.error ?? 'is invalid'}` : (e.error ?? ''))).join(', ');
  }
  return body.message ?? body.responseMessages?.find((m) => m.message)?.message ?? undefined;
}

function parseBody(text: string): ErrorBody {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {}; // a gateway's HTML page, or the 429's undocumented body
  }
}

export function errorFromResponse(op: OperationContext, status: number, text: string, secrets: readonly string[]): NextGenError {
  // 429 bodies come from the edge and are undocumented: do not read them.
  const body = status === 429 ? {} : parseBody(text);
  const code = body.code === undefined || body.code === null ? undefined : String(body.code);
  const said = harnessText(body);
  const harnessMessage = said === undefined ? undefined : redact(said, secrets);
  const details: NextGenErrorDetails = {
    operation: op.operation,
    ...(code ? { code } : {}),
    ...(body.correlationId ? { correlationId: body.correlationId } : {}),
    ...(harnessMessage ? { harnessMessage } : {}),
  };
  const make = (kind: HarnessErrorKind, message: string) => new NextGenError(kind, message, status, details);
  const unchanged = op.write ? ' Nothing was changed.' : '';
  const plain = harnessMessage ? clean(harnessMessage) : `HTTP ${status}`;

  if (status === 401) {
    return make(
      'unauthorized',
      `Harness did not accept the bot's credential (HTTP 401) when asked to ${op.what}.${unchanged} An operator must check HARNESS_API_KEY: it may be wrong, expired or deleted, or belong to another account than HARNESS_ACCOUNT_ID.`,
    );
  }
  if (status === 403) {
    const check = body.failedPermissionChecks?.find((c) => c.permission);
    if (check?.permission) details.permission = check.permission;
    if (check?.resourceType) details.resourceType = check.resourceType;
    if (check?.resourceIdentifier) details.resourceIdentifier = check.resourceIdentifier;
    return make(
      'forbidden',
      `The bot is not allowed to ${op.what} in Harness.${unchanged} An operator must grant the bot's service account the missing permission (it is named in the bot's log).`,
    );
  }
  if (status === 429) {
    return make('rate_limited', `Harness's rate limit was reached (HTTP 429) when asked to ${op.what}.${unchanged} Try again in a minute.`);
  }
  if (status >= 500) {
    if (op.write) {
      return make(
        'uncertain',
        `Harness answered HTTP ${status} when asked to ${op.what}. Harness answers this way both when it fails and when the thing to change does not exist, so it is not known whether anything changed: look at the current state before trying again.`,
      );
    }
    return make('unavailable', `Harness is unavailable (HTTP ${status}) and could not ${op.what}. Try again later.`);
  }
  if (status === 400 || status === 415) {
    if (/maximum limit has reached/i.test(plain)) {
      return make('limit', `Harness refused to ${op.what}: the limit is reached. ${op.limitAdvice ?? ''}`.trim());
    }
    if (code === 'DUPLICATE_FIELD') {
      return make('conflict', `Harness refused to ${op.what}: that identifier is already taken (Harness ignores case when comparing). Choose another one.`);
    }
    if (code === 'RESOURCE_NOT_FOUND_EXCEPTION' && /^HTTP 404/.test(plain)) {
      return make('rejected', `Harness does not know the address the bot used to ${op.what}.${unchanged} An operator must check the Harness base URL.`);
    }
    if (code === 'RESOURCE_NOT_FOUND_EXCEPTION' || (code === 'INVALID_ARGUMENT' && /does ?n[o']t exist|not found/i.test(plain))) {
      return make('not_found', `Harness could not ${op.what}: ${plain}`);
    }
    if (typeof body.code === 'number' || status === 415) {
      return make('rejected', `Harness could not read the bot's request to ${op.what} (${plain}).${unchanged} This is a bug in the bot; an operator should report it.`);
    }
    return make('rejected', `Harness refused to ${op.what}: ${plain}`);
  }
  return make('bad_response', `Harness answered HTTP ${status} when asked to ${op.what}, which the bot does not expect.${unchanged}`);
}

export function errorFromTransport(op: OperationContext, err: unknown, timeoutMs: number): NextGenError {
  const details = { operation: op.operation };
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new NextGenError('timeout', `Harness did not answer within ${timeoutMs} ms when asked to ${op.what}.`, undefined, details, { cause: err });
  }
  return new NextGenError('network', `Could not reach Harness to ${op.what}.`, undefined, details, { cause: err });
}

export function badResponse(op: OperationContext, status: number, summary: string | undefined): NextGenError {
  return new NextGenError(
    'bad_response',
    `Harness answered the request to ${op.what} with a response the bot does not understand.`,
    status,
    { operation: op.operation },
    // The summary names fields and expected types only; bodies that carry a token value give none.
    summary === undefined ? undefined : { cause: new Error(summary) },
  );
}
