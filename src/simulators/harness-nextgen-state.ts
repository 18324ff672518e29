import { randomUUID } from 'node:crypto';

/**
 * The simulated NextGen server's data, as a plain JSON-able object so that a sandbox can persist it
 * (snapshot/restore), and the bodies Harness answers with (FACTS.md section 3). Token values are
 * never stored: only a hash of their secret part, like Harness's bcrypt hash.
 */
export interface SimServiceAccount {
  identifier: string;
  name: string;
  email: string;
  description: string | null;
  tags: Record<string, string>;
  orgIdentifier: string | null;
  projectIdentifier: string | null;
  createdAt: number;
  lastModifiedAt: number;
}

export interface SimApiKey {
  identifier: string;
  name: string;
  description: string | null;
  tags: Record<string, string>;
  apiKeyType: string;
  parentIdentifier: string;
  defaultTimeToExpireToken: number;
  orgIdentifier: string | null;
  projectIdentifier: string | null;
  createdAt: number;
  lastModifiedAt: number;
}

export interface SimToken {
  /** The value's third segment (Harness's Mongo id); never shown by any list. */
  id: string;
  secretHash: string;
  identifier: string;
  name: string;
  validFrom: number;
  validTo: number;
  scheduledExpireTime: number | null;
  apiKeyIdentifier: string;
  parentIdentifier: string;
  apiKeyType: string;
  orgIdentifier: string | null;
  projectIdentifier: string | null;
  description: string | null;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
}

export interface NextGenState {
  accountId: string;
  serviceAccounts: SimServiceAccount[];
  apiKeys: SimApiKey[];
  tokens: SimToken[];
  /** Permissions the bot's credential lacks: "core_serviceaccount_manageapikey" (everywhere) or "<permission>:<service account>". */
  denied: string[];
}

export const DEFAULT_TOKEN_TTL = 2_592_000_000; // 30 days, ApiKey.DEFAULT_TTL_FOR_TOKEN
export const MAX_KEYS_PER_SA = 5;
export const MAX_TOKENS_PER_KEY = 5;

const BASE_TIME = Date.UTC(2025, 0, 1);

/** n account-level service accounts sa_0000, sa_0001…, created a minute apart. */
export function makeServiceAccounts(n: number): SimServiceAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `sa_${String(i).padStart(4, '0')}`;
    return {
      identifier: id,
      name: `Service account ${String(i).padStart(4, '0')}`,
      email: `${id.toLowerCase()}@service.harness.io`,
      description: null,
      tags: {},
      orgIdentifier: null,
      projectIdentifier: null,
      createdAt: BASE_TIME + i * 60_000,
      lastModifiedAt: BASE_TIME + i * 60_000,
    };
  });
}

/** An error answer, thrown by the operations: the HTTP status and Harness's body for it. */
export class Fault extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | string,
    readonly contentType = 'application/json',
  ) {
    super(`HTTP ${status}`);
    this.name = 'Fault';
  }
}

export const failure = (code: string, message: string, errors: { fieldId: string | null; error: string }[] = []) =>
  new Fault(code === 'MEDIA_NOT_SUPPORTED' ? 415 : 400, { status: 'FAILURE', code, message, correlationId: randomUUID(), errors });

export function errorBody(code: string, message: string, correlationId: string | null = randomUUID()) {
  return {
    status: 'ERROR',
    code,
    message,
    correlationId,
    detailedMessage: null,
    responseMessages: [{ code, level: 'ERROR', message, exception: null, failureTypes: [] }],
    metadata: null,
  };
}

export const invalidRequest = (message: string) => new Fault(400, errorBody('INVALID_REQUEST', `Invalid request: ${message}`));
export const invalidArgument = (message: string) => new Fault(400, errorBody('INVALID_ARGUMENT', `Invalid argument(s): ${message}`));
export const duplicate = (message: string) => new Fault(400, errorBody('DUPLICATE_FIELD', message));
export const limitReached = () => invalidRequest('Maximum limit has reached');
// The authentication filter runs before the correlation filter: no correlation id on a 401.
export const invalidToken = () => new Fault(401, errorBody('INVALID_TOKEN', 'Token is not valid.', null));
// Preconditions.checkState and every other unmapped exception end here.
export const unknownError = () => new Fault(500, errorBody('UNKNOWN_ERROR', 'Oops, something went wrong on our end. Please contact Harness Support.'));
export const malformedJson = (details: string) => new Fault(400, { code: 400, message: 'Unable to process JSON', details });

export const serviceAccountNotFound = (id: string, account: string, org: string | null, project: string | null) =>
  failure(
    'RESOURCE_NOT_FOUND_EXCEPTION',
    `Service account with identifier [${id}] is not found in the given scope accountIdentifier [${account}], orgIdentifier [${org}], projectIdentifier [${project}]`,
  );

export function accessDenied(principal: string, permission: string, account: string, resourceIdentifier: string | null) {
  const on = resourceIdentifier ? ` on serviceaccount with identifier ${resourceIdentifier}` : '';
  return new Fault(403, {
    status: 'ERROR',
    code: 'NG_ACCESS_DENIED',
    message: `Principal of type SERVICE_ACCOUNT with identifier ${principal} : Missing permission ${permission}${on}`,
    correlationId: null,
    detailedMessage: null,
    responseMessages: null,
    metadata: null,
    failedPermissionChecks: [
      {
        resourceScope: { accountIdentifier: account, orgIdentifier: null, projectIdentifier: null },
        resourceType: 'SERVICEACCOUNT',
        resourceAttributes: null,
        resourceIdentifier,
        permission,
      },
    ],
  });
}
