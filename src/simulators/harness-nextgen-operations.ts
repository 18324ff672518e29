import { LETTERS, ci, num, random, str, tagsOf, type Body, type Core } from './harness-nextgen-behaviour';
import * as h from './harness-nextgen-state';
import type { SimApiKey, SimServiceAccount, SimToken } from './harness-nextgen-state';

/**
 * What ng-manager does for each of the 15 operations, in the order it checks (FACTS.md sections
 * 6-9): permission on the parent service account, the service account, limits, duplicates (ignoring
 * case); unknown keys and tokens on writes are HTTP 500; rotation renames the old token before it
 * creates the new one, so it can stop half-way. Each handler returns ResponseDTO's `data`.
 */
export interface OpRequest {
  query: URLSearchParams;
  pathId: string | undefined;
  body: unknown;
  principal: string;
}

const MANAGE = 'core_serviceaccount_manageapikey';
const VIEW = 'core_serviceaccount_view';
const ACCOUNT_SCOPE = { org: null, project: null };

export function createOperations(c: Core): Record<string, (r: OpRequest) => unknown> {
  const field = <T>(item: T, name: string) => item[name as keyof T];
  const keyQuery = (q: URLSearchParams) => ({ sa: q.get('parentIdentifier') ?? '', type: q.get('apiKeyType') ?? '', scope: c.scopeOfQuery(q) });
  const keyNotFound = (id: string) => h.invalidArgument(`Api key [${id}] doesn't exist in scope`);
  const keyAggregate = (k: SimApiKey) => ({
    apiKey: c.keyDto(k),
    createdAt: k.createdAt,
    lastModifiedAt: k.lastModifiedAt,
    tokensCount: c.tokensOf(k.parentIdentifier, k.identifier, { org: k.orgIdentifier, project: k.projectIdentifier }, k.apiKeyType).length,
  });
  const visible = (sa: SimServiceAccount) => !c.isDenied(VIEW, sa.identifier);

  return {
    listAggregatedServiceAccounts({ query: q }) {
      // Dec-2023 code adds a second criterion on one field at org/project scope (inferred: a 500).
      if (q.get('orgIdentifier') || q.get('projectIdentifier')) throw h.unknownError();
      const [match, wanted] = [c.search(q), c.identifiersFilter(q)];
      const items = c.state.serviceAccounts.filter(
        (sa) => c.inScope(sa, ACCOUNT_SCOPE) && visible(sa) && wanted(sa.identifier) && match(sa.name, sa.identifier, ...Object.entries(sa.tags).flat()),
      );
      return c.page(q, items, field, c.saAggregate);
    },
    getAggregatedServiceAccount({ query: q, pathId = '', principal }) {
      c.requirePermission(principal, VIEW, pathId);
      const sa = c.state.serviceAccounts.find((x) => x.identifier === pathId && c.inScope(x, c.scopeOfQuery(q)));
      if (!sa) throw h.invalidArgument(`Service account [${pathId}] doesn't exist in scope`);
      return c.saAggregate(sa);
    },
    listServiceAccount({ query: q }) {
      const wanted = c.identifiersFilter(q);
      return c.state.serviceAccounts.filter((sa) => c.inScope(sa, c.scopeOfQuery(q)) && visible(sa) && wanted(sa.identifier)).map(c.saDto);
    },

    createApiKey({ body, principal }) {
      const b = body as Body;
      const [sa, type, identifier, scope] = [String(b.parentIdentifier), String(b.apiKeyType), String(b.identifier), c.scopeOfBody(b)];
      c.requirePermission(principal, MANAGE, sa);
      // A service-account credential has no user in its context (ApiKeyServiceImpl.validateParentIdentifier).
      if (type === 'USER') throw h.invalidArgument('No user identifier present in context');
      c.serviceAccount(sa, scope);
      const siblings = c.keysOf(sa, scope, type);
      if (siblings.length >= h.MAX_KEYS_PER_SA) throw h.limitReached();
      if (siblings.some((k) => ci(k.identifier, identifier))) throw h.duplicate(`Try using different Key name, [${identifier}] already exists`);
      const t = c.now();
      const key: SimApiKey = {
        identifier, name: String(b.name), description: str(b.description), tags: tagsOf(b.tags), apiKeyType: type, parentIdentifier: sa,
        defaultTimeToExpireToken: num(b.defaultTimeToExpireToken) ?? h.DEFAULT_TOKEN_TTL, orgIdentifier: scope.org, projectIdentifier: scope.project, createdAt: t, lastModifiedAt: t,
      };
      c.state.apiKeys.push(key);
      return c.keyDto(key);
    },
    listApiKeys({ query: q, principal }) {
      const { sa, type, scope } = keyQuery(q);
      c.requirePermission(principal, MANAGE, sa);
      const wanted = c.identifiersFilter(q);
      return c.keysOf(sa, scope, type).filter((k) => wanted(k.identifier)).map(c.keyDto);
    },
    listAggregatedApiKeys({ query: q, principal }) {
      const { sa, type, scope } = keyQuery(q);
      c.requirePermission(principal, MANAGE, sa);
      const [match, wanted] = [c.search(q), c.identifiersFilter(q)];
      const items = c.keysOf(sa, scope, type).filter((k) => wanted(k.identifier) && match(k.name, k.identifier, ...Object.entries(k.tags).flat()));
      return c.page(q, items, field, keyAggregate);
    },
    getAggregatedApiKey({ query: q, pathId = '', principal }) {
      const { sa, type, scope } = keyQuery(q);
      c.requirePermission(principal, MANAGE, sa);
      const key = c.keysOf(sa, scope, type).find((k) => k.identifier === pathId);
      if (!key) throw keyNotFound(pathId);
      return keyAggregate(key);
    },
    updateApiKey({ body, principal }) {
      // Found by the body, not the path (ApiKeyResource.updateApiKey); a full replace.
      const b = body as Body;
      const [sa, type, scope] = [String(b.parentIdentifier), String(b.apiKeyType), c.scopeOfBody(b)];
      c.requirePermission(principal, MANAGE, sa);
      c.serviceAccount(sa, scope);
      const key = c.keysOf(sa, scope, type).find((k) => k.identifier === b.identifier);
      if (!key) throw h.unknownError();
      Object.assign(key, {
        name: String(b.name), description: str(b.description), tags: tagsOf(b.tags),
        defaultTimeToExpireToken: num(b.defaultTimeToExpireToken) ?? h.DEFAULT_TOKEN_TTL, lastModifiedAt: c.now(),
      });
      return c.keyDto(key);
    },
    deleteApiKey({ query: q, pathId, principal }) {
      const { sa, type, scope } = keyQuery(q);
      c.requirePermission(principal, MANAGE, sa);
      c.serviceAccount(sa, scope);
      const index = c.state.apiKeys.findIndex((k) => k.identifier === pathId && k.parentIdentifier === sa && k.apiKeyType === type && c.inScope(k, scope));
      if (index < 0) throw h.unknownError();
      c.state.apiKeys.splice(index, 1);
      const doomed = new Set(c.tokensOf(sa, pathId ?? '', scope, type));
      for (let i = c.state.tokens.length - 1; i >= 0; i--) if (doomed.has(c.state.tokens[i]!)) c.state.tokens.splice(i, 1);
      return true;
    },

    createToken({ query: q, body, principal }) {
      const b: Body = { ...(body as Body), accountIdentifier: q.get('accountIdentifier') };
      const scope = c.scopeOfBody(b);
      c.requirePermission(principal, MANAGE, String(b.parentIdentifier));
      c.serviceAccount(String(b.parentIdentifier), scope); // inferred: the permission check needs the resource
      return c.mintToken(b, scope);
    },
    listAggregatedTokens({ query: q, principal }) {
      const { sa, type, scope } = keyQuery(q);
      c.requirePermission(principal, MANAGE, sa);
      const [match, wanted] = [c.search(q), c.identifiersFilter(q)];
      const activeOnly = q.get('includeOnlyActiveTokens') === 'true';
      const items = c.tokensOf(sa, q.get('apiKeyIdentifier') ?? '', scope, type).filter(
        (t) => wanted(t.identifier) && match(t.name, t.identifier) && (!activeOnly || (c.tokenDto(t).valid)),
      );
      return c.page(q, items, field, c.tokenAggregate);
    },
    updateToken({ query: q, body, principal }) {
      const b: Body = { ...(body as Body), accountIdentifier: q.get('accountIdentifier') };
      if (b.scheduledExpireTime !== undefined && b.scheduledExpireTime !== null) throw h.invalidRequest('Rotated tokens cannot be updated');
      const scope = c.scopeOfBody(b);
      c.requirePermission(principal, MANAGE, String(b.parentIdentifier));
      const key = c.apiKeyFor(b, scope); // the same path as create: a missing key is created
      const token = c.tokensOf(key.parentIdentifier, key.identifier, scope, key.apiKeyType).find((t) => t.identifier === b.identifier);
      if (!token) throw h.unknownError();
      const [validFrom, validTo] = [num(b.validFrom), num(b.validTo)];
      if (validFrom === null || validTo === null) throw h.unknownError(); // Instant.ofEpochMilli(null)
      Object.assign(token, { name: String(b.name), validFrom, validTo, description: str(b.description), tags: tagsOf(b.tags), lastModifiedAt: c.now() });
      return c.tokenDto(token);
    },
    deleteToken({ query: q, pathId, principal }) {
      c.requirePermission(principal, MANAGE, q.get('parentIdentifier') ?? '');
      const token = c.findToken(q, pathId);
      c.state.tokens.splice(c.state.tokens.indexOf(token), 1);
      return true;
    },
    rotateToken({ query: q, pathId, principal }) {
      c.requirePermission(principal, MANAGE, q.get('parentIdentifier') ?? '');
      const rotateTimestamp = num(Number(q.get('rotateTimestamp') ?? NaN));
      if (rotateTimestamp === null || Number.isNaN(rotateTimestamp)) throw h.unknownError(); // Instant.ofEpochMilli(null)
      const old: SimToken = c.findToken(q, pathId);
      const successor = { identifier: old.identifier, name: old.name, description: old.description, tags: old.tags, validFrom: c.now(), validTo: old.validTo };
      // Two separate writes, as in TokenServiceImpl.rotateToken: the rename stays even if the create fails.
      Object.assign(old, { identifier: `rotated_${random(LETTERS, 15)}`, scheduledExpireTime: rotateTimestamp, lastModifiedAt: c.now() });
      const b = { ...successor, apiKeyIdentifier: old.apiKeyIdentifier, parentIdentifier: old.parentIdentifier, apiKeyType: old.apiKeyType };
      return c.mintToken(b, { org: old.orgIdentifier, project: old.projectIdentifier });
    },
    validateToken({ body }) {
      const value = typeof body === 'string' ? body.trim() : '';
      const parts = value.split('.');
      const token = c.state.tokens.find((t) => t.id === parts[parts.length - 2]);
      if (!token) throw h.invalidRequest(`Invalid API token ${parts[parts.length - 2] ?? ''}: token not found`); // wording inferred
      if (c.expiry(token) <= c.now()) throw h.invalidRequest(`Incoming API token ${token.name} has expired ${token.id}`);
      try {
        c.authenticate(value, c.acc());
      } catch {
        throw h.invalidRequest(`Invalid API token ${token.id}: Raw password not matching for new API token format`);
      }
      const owner = c.state.serviceAccounts.find((sa) => sa.identifier === token.parentIdentifier);
      return c.tokenDto(token, owner);
    },
  };
}
