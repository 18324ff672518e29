import { z } from 'zod';
import { validateHarnessName, validateIdentifier } from '../../domain/harness-identifier';
import { NextGenError, type OperationContext } from './errors';
import { minted, toApiKey, toServiceAccount, toToken } from './mappers';
import * as s from './schemas';
import { createTransport, type NextGenClientOptions } from './transport';
import type { NextGenApi } from './types';

export type * from './types';
export type { NextGenClientOptions } from './transport';
export { NextGenError, type NextGenErrorDetails } from './errors';

/**
 * Harness NextGen REST client for service accounts, API keys and tokens (shared/harness/nextgen).
 * Beyond the HTTP calls it guards against the traps FACTS.md lists: a token under a missing key
 * (Harness would create "<key>_auto"), a rotation at the token limit (Harness stops half-way), a
 * token update that must resend every field, identifiers and names Harness would refuse.
 */
const TOKEN_LIMIT = 5;
const enc = encodeURIComponent;

export function createNextGenClient(options: NextGenClientOptions): NextGenApi {
  const { call, pages } = createTransport(options);
  // Omitted, never empty: Harness stores "" as a scope of its own.
  const scope = {
    accountIdentifier: options.accountId,
    ...(options.orgId ? { orgIdentifier: options.orgId } : {}),
    ...(options.projectId ? { projectIdentifier: options.projectId } : {}),
  };
  const keyScope = (serviceAccount: string) => ({ ...scope, apiKeyType: 'SERVICE_ACCOUNT', parentIdentifier: serviceAccount });

  const refuse = (op: OperationContext, kind: 'rejected' | 'not_found' | 'limit', message: string) =>
    new NextGenError(kind, message, undefined, { operation: op.operation });
  const checkInput = (op: OperationContext, identifier: string, name: string | undefined, validTo?: number) => {
    const problem =
      validateIdentifier(identifier, { allowDollar: true }) ??
      (name === undefined ? undefined : validateHarnessName(name)) ??
      (validTo !== undefined && validTo <= Date.now() ? 'The expiry date must be in the future.' : undefined);
    if (problem) throw refuse(op, 'rejected', `Cannot ${op.what}: ${problem}`);
  };
  const tokenValue = z.string().regex(s.TOKEN_VALUE);

  const api: NextGenApi = {
    async checkCredentials() {
      const op = { operation: 'checkCredentials', what: 'check its credential', write: false };
      if (options.orgId || options.projectId) {
        // The aggregate list fails at org/project scope (FACTS section 6); this read is just as cheap.
        await call(op, { method: 'GET', path: '/ng/api/serviceaccount', query: { ...scope, identifiers: ['credential_check'] } }, z.array(s.serviceAccountSchema));
        return {};
      }
      const page = await call(op, { method: 'GET', path: '/ng/api/serviceaccount/aggregate', query: { ...scope, pageIndex: 0, pageSize: 1 } }, s.pageOf(s.serviceAccountAggregateSchema));
      return { visibleServiceAccounts: page.totalItems ?? page.content?.length ?? 0 };
    },

    async listServiceAccounts() {
      const op = { operation: 'listServiceAccounts', what: 'list service accounts', write: false };
      if (options.orgId || options.projectId) {
        const list = await call(op, { method: 'GET', path: '/ng/api/serviceaccount', query: scope }, z.array(s.serviceAccountSchema));
        return list.map((sa) => toServiceAccount(sa));
      }
      const items = await pages(op, '/ng/api/serviceaccount/aggregate', scope, s.serviceAccountAggregateSchema);
      // Sorted paging can still repeat an item when one is added mid-walk.
      const byId = new Map(items.map((a) => [a.serviceAccount.identifier, toServiceAccount(a.serviceAccount, a.tokensCount)]));
      return [...byId.values()];
    },

    async getServiceAccount(identifier) {
      const op = { operation: 'getServiceAccount', what: `read the service account ${identifier}`, write: false };
      try {
        const a = await call(op, { method: 'GET', path: `/ng/api/serviceaccount/aggregate/${enc(identifier)}`, query: scope }, s.serviceAccountAggregateSchema);
        return toServiceAccount(a.serviceAccount, a.tokensCount);
      } catch (err) {
        if (err instanceof NextGenError && err.kind === 'not_found') return undefined;
        throw err;
      }
    },

    async listApiKeys(serviceAccount, identifiers) {
      const op = { operation: 'listApiKeys', what: `list the API keys of service account ${serviceAccount}`, write: false };
      const list = await call(op, { method: 'GET', path: '/ng/api/apikey', query: { ...keyScope(serviceAccount), identifiers } }, z.array(s.apiKeySchema));
      return list.map((k) => toApiKey(k, serviceAccount));
    },

    async createApiKey(input) {
      const op = {
        operation: 'createApiKey',
        what: `create the API key ${input.identifier} under service account ${input.serviceAccount}`,
        write: true,
        limitAdvice: `Service account ${input.serviceAccount} already has 5 API keys, the most Harness allows: delete one first.`,
      };
      checkInput(op, input.identifier, input.name);
      const body = {
        identifier: input.identifier,
        name: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
        apiKeyType: 'SERVICE_ACCOUNT',
        parentIdentifier: input.serviceAccount,
        ...(input.defaultTokenLifetimeMs !== undefined ? { defaultTimeToExpireToken: input.defaultTokenLifetimeMs } : {}),
        ...scope, // accountIdentifier must be in the body too, although the query has it
      };
      const key = await call(op, { method: 'POST', path: '/ng/api/apikey', query: { accountIdentifier: options.accountId }, body }, s.apiKeySchema);
      return toApiKey(key, input.serviceAccount);
    },

    async deleteApiKey(input) {
      const op = { operation: 'deleteApiKey', what: `delete the API key ${input.identifier} of service account ${input.serviceAccount}`, write: true };
      await call(op, { method: 'DELETE', path: `/ng/api/apikey/${enc(input.identifier)}`, query: keyScope(input.serviceAccount) }, z.boolean().nullish());
    },

    async listTokens(input) {
      const op = { operation: 'listTokens', what: `list the tokens of API key ${input.apiKey}`, write: false };
      const query = { ...keyScope(input.serviceAccount), apiKeyIdentifier: input.apiKey };
      const items = await pages(op, '/ng/api/token/aggregate', query, s.tokenAggregateSchema);
      return items.map((a) => toToken(a, input.serviceAccount, input.apiKey));
    },

    async createToken(input) {
      const op = {
        operation: 'createToken',
        what: `create the token ${input.identifier} under API key ${input.apiKey}`,
        write: true,
        limitAdvice: `API key ${input.apiKey} already has ${TOKEN_LIMIT} tokens, the most Harness allows (rotated-out ones count until they expire): delete one first.`,
      };
      checkInput(op, input.identifier, input.name, input.validTo);
      // Harness would silently create a key "<apiKey>_auto" for a token under a key that does not exist.
      const keys = await api.listApiKeys(input.serviceAccount, [input.apiKey]);
      if (!keys.some((k) => k.identifier === input.apiKey)) {
        throw refuse(op, 'not_found', `Cannot ${op.what}: service account ${input.serviceAccount} has no API key ${input.apiKey}.`);
      }
      const body = {
        identifier: input.identifier,
        name: input.name,
        ...(input.validFrom !== undefined ? { validFrom: input.validFrom } : {}),
        validTo: input.validTo,
        ...scope,
        apiKeyIdentifier: input.apiKey,
        parentIdentifier: input.serviceAccount,
        apiKeyType: 'SERVICE_ACCOUNT',
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.tags !== undefined ? { tags: input.tags } : {}),
      };
      const value = await call(op, { method: 'POST', path: '/ng/api/token', query: { accountIdentifier: options.accountId }, body, secret: true }, tokenValue);
      return minted(input.identifier, value, {});
    },

    async rotateToken(input) {
      const op = { operation: 'rotateToken', what: `rotate the token ${input.identifier} of API key ${input.apiKey}`, write: true };
      const tokens = await api.listTokens(input);
      const current = tokens.find((t) => t.identifier === input.identifier);
      if (!current) throw refuse(op, 'not_found', `Cannot ${op.what}: API key ${input.apiKey} has no token ${input.identifier}.`);
      if (current.rotatedOut) throw refuse(op, 'rejected', `Cannot ${op.what}: it has already been rotated out.`);
      // Harness renames the old token before creating the new one; at the limit it stops half-way.
      if (tokens.length >= TOKEN_LIMIT) {
        throw refuse(op, 'limit', `Cannot ${op.what}: API key ${input.apiKey} has ${tokens.length} tokens and rotating needs a free slot (the old token counts until it expires). Delete a token first.`);
      }
      const previousValidUntil = input.previousValidUntil ?? Date.now();
      const query = { ...keyScope(input.serviceAccount), apiKeyIdentifier: input.apiKey, rotateTimestamp: previousValidUntil };
      let value: string;
      try {
        value = await call(op, { method: 'POST', path: `/ng/api/token/rotate/${enc(input.identifier)}`, query, secret: true }, tokenValue);
      } catch (err) {
        if (!(err instanceof NextGenError) || ['unauthorized', 'forbidden', 'rate_limited'].includes(err.kind)) throw err;
        throw new NextGenError(
          'uncertain',
          `${err.message} The rotation may have stopped half-way: the old token renamed "rotated_…" and ending at ${new Date(previousValidUntil).toISOString()}, with no new token. List the key's tokens before deciding.`,
          err.status,
          { ...err.details, underlyingKind: err.kind },
        );
      }
      return minted(input.identifier, value, { previousValidUntil });
    },

    async updateToken(input) {
      const op = { operation: 'updateToken', what: `update the token ${input.identifier} of API key ${input.apiKey}`, write: true };
      const current = (await api.listTokens(input)).find((t) => t.identifier === input.identifier);
      if (!current) throw refuse(op, 'not_found', `Cannot ${op.what}: API key ${input.apiKey} has no token ${input.identifier}.`);
      if (current.rotatedOut) throw refuse(op, 'rejected', `Cannot ${op.what}: it has been rotated out and stops working at its rotation deadline.`);
      checkInput(op, input.identifier, input.name, input.validTo);
      // A full replace: validFrom and validTo must both be sent, scheduledExpireTime must not.
      const description = input.description ?? current.description;
      const body = {
        identifier: input.identifier,
        name: input.name ?? current.name,
        validFrom: current.validFrom ?? Date.now(),
        validTo: input.validTo ?? current.validTo ?? Date.now(),
        ...scope,
        apiKeyIdentifier: input.apiKey,
        parentIdentifier: input.serviceAccount,
        apiKeyType: 'SERVICE_ACCOUNT',
        ...(description !== undefined ? { description } : {}),
        tags: input.tags ?? current.tags,
      };
      const query = { accountIdentifier: options.accountId };
      const t = await call(op, { method: 'PUT', path: `/ng/api/token/${enc(input.identifier)}`, query, body }, s.tokenSchema);
      return toToken({ token: t }, input.serviceAccount, input.apiKey);
    },

    async deleteToken(input) {
      const op = { operation: 'deleteToken', what: `delete the token ${input.identifier} of API key ${input.apiKey}`, write: true };
      const query = { ...keyScope(input.serviceAccount), apiKeyIdentifier: input.apiKey };
      await call(op, { method: 'DELETE', path: `/ng/api/token/${enc(input.identifier)}`, query }, z.boolean().nullish());
    },
  };
  return api;
}
