import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import * as h from './harness-nextgen-state';
import type { NextGenState, SimApiKey, SimServiceAccount, SimToken } from './harness-nextgen-state';

/**
 * The simulated ng-manager's shared machinery: authentication by the bot's key or by a token it
 * minted, the TTL sweep of expired tokens, Harness's paging/sorting/regex search, the DTOs as
 * Harness writes them (nulls included), and token minting with its checks in Harness's order
 * (FACTS.md sections 8-10). Errors are thrown as Fault.
 */
export type Body = Record<string, unknown>;
export type Scope = { org: string | null; project: string | null };
export type Core = ReturnType<typeof createBehaviour>;

export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LETTERS}0123456789`;
export const random = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? null) === (b ?? null);
export const ci = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
export const str = (v: unknown) => (typeof v === 'string' ? v : null);
export const num = (v: unknown) => (typeof v === 'number' ? v : null);
export const tagsOf = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, string>) : {});

export function createBehaviour(state: NextGenState, options: { apiKey: string; now: () => number; ttlSweepDelayMs: number }) {
  const { now } = options;
  const acc = () => state.accountId;
  const scopeOfQuery = (q: URLSearchParams): Scope => ({ org: q.get('orgIdentifier'), project: q.get('projectIdentifier') });
  const scopeOfBody = (b: Body): Scope => ({ org: str(b.orgIdentifier), project: str(b.projectIdentifier) });
  const inScope = (e: { orgIdentifier: string | null; projectIdentifier: string | null }, s: Scope) => same(e.orgIdentifier, s.org) && same(e.projectIdentifier, s.project);
  const expiry = (t: SimToken) => t.scheduledExpireTime ?? t.validTo;

  /** MongoDB's TTL monitor deletes expired tokens; here on every request, after an optional delay. */
  function sweep() {
    const cutoff = now() - options.ttlSweepDelayMs;
    for (let i = state.tokens.length - 1; i >= 0; i--) if (expiry(state.tokens[i]!) <= cutoff) state.tokens.splice(i, 1);
  }

  function authenticate(key: string | undefined, account: string): string {
    if (account !== acc() || !key) throw h.invalidToken();
    if (key === options.apiKey) return 'apikey_bot';
    const parts = key.split('.');
    if (parts.length !== 3 && parts.length !== 4) throw h.invalidToken();
    const [prefix, id, secret] = parts.length === 4 ? [parts[0], parts[2], parts[3]] : [parts[0], parts[1], parts[2]];
    if (parts.length === 4 && parts[1] !== account) throw h.invalidToken();
    const token = state.tokens.find((t) => t.id === id);
    const ok = token && secret && (prefix === 'sat' || prefix === 'pat') && timingSafeEqual(Buffer.from(hash(secret)), Buffer.from(token.secretHash));
    if (!ok || token.validFrom > now() || expiry(token) <= now()) throw h.invalidToken();
    return token.parentIdentifier;
  }

  const isDenied = (permission: string, sa: string) => state.denied.includes(permission) || state.denied.includes(`${permission}:${sa}`);
  function requirePermission(principal: string, permission: string, sa: string) {
    if (isDenied(permission, sa)) throw h.accessDenied(principal, permission, acc(), sa);
  }
  function serviceAccount(id: string, s: Scope): SimServiceAccount {
    const sa = state.serviceAccounts.find((x) => x.identifier === id && inScope(x, s));
    if (!sa) throw h.serviceAccountNotFound(id, acc(), s.org, s.project);
    return sa;
  }
  const keysOf = (sa: string, s: Scope, type: string) => state.apiKeys.filter((k) => k.parentIdentifier === sa && k.apiKeyType === type && inScope(k, s));
  const tokensOf = (sa: string, key: string, s: Scope, type: string) =>
    state.tokens.filter((t) => t.parentIdentifier === sa && t.apiKeyIdentifier === key && t.apiKeyType === type && inScope(t, s));

  function page<T>(q: URLSearchParams, items: T[], field: (item: T, name: string) => unknown, map: (item: T) => unknown): Body {
    const orders = q.getAll('sortOrders').length > 0 ? q.getAll('sortOrders') : ['lastModifiedAt,DESC'];
    const sorted = [...items].sort((a, b) => {
      for (const order of orders) {
        const [name = '', dir = 'DESC'] = order.split(',');
        const [x, y] = [field(a, name), field(b, name)] as [string | number, string | number];
        if (x !== y) return (x < y ? -1 : 1) * (dir.toUpperCase() === 'ASC' ? 1 : -1);
      }
      return 0;
    });
    const pageIndex = Number(q.get('pageIndex') ?? 0);
    const pageSize = Number(q.get('pageSize') ?? 50);
    if (!(pageSize >= 1 && pageIndex >= 0)) throw h.unknownError(); // Spring's PageRequest.of throws
    const content = sorted.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize).map(map);
    const totalItems = items.length;
    return { totalPages: Math.ceil(totalItems / pageSize), totalItems, pageItemCount: content.length, pageSize, content, pageIndex, empty: content.length === 0, pageToken: null };
  }
  function search(q: URLSearchParams): (...texts: string[]) => boolean {
    const term = q.get('searchTerm');
    if (!term) return () => true;
    let re: RegExp;
    try {
      re = new RegExp(term, 'i'); // a MongoDB regex: "(" is a server error, not a literal
    } catch {
      throw h.unknownError();
    }
    return (...texts) => texts.some((t) => re.test(t));
  }
  const identifiersFilter = (q: URLSearchParams) => {
    const ids = q.getAll('identifiers');
    return (id: string) => ids.length === 0 || ids.includes(id);
  };

  const saDto = (sa: SimServiceAccount) => {
    const { createdAt: _c, lastModifiedAt: _m, ...rest } = sa;
    return { ...rest, accountIdentifier: acc(), governanceMetadata: null };
  };
  const saAggregate = (sa: SimServiceAccount) => ({
    serviceAccount: saDto(sa),
    createdAt: sa.createdAt,
    lastModifiedAt: sa.lastModifiedAt,
    tokensCount: keysOf(sa.identifier, { org: sa.orgIdentifier, project: sa.projectIdentifier }, 'SERVICE_ACCOUNT').length, // keys, as in Harness
    roleAssignmentsMetadataDTO: [],
  });
  const keyDto = (k: SimApiKey) => {
    const { createdAt: _c, lastModifiedAt: _m, ...rest } = k;
    return { ...rest, accountIdentifier: acc(), governanceMetadata: null };
  };
  const tokenDto = (t: SimToken, owner?: SimServiceAccount) => {
    const { id: _i, secretHash: _h, createdAt: _c, lastModifiedAt: _m, ...rest } = t;
    const valid = t.validFrom <= now() && now() < expiry(t);
    return { ...rest, valid, accountIdentifier: acc(), email: owner?.email ?? null, username: owner?.name ?? null, encodedPassword: null };
  };
  const tokenAggregate = (t: SimToken) => ({ token: tokenDto(t), expiryAt: expiry(t), createdAt: t.createdAt, lastModifiedAt: t.lastModifiedAt });

  function apiKeyFor(b: Body, s: Scope): SimApiKey {
    const [sa, key, type] = [String(b.parentIdentifier), String(b.apiKeyIdentifier), String(b.apiKeyType)];
    const existing = keysOf(sa, s, type).find((k) => k.identifier === key);
    if (existing) return existing;
    // Harness's trap: no error, a new key (FACTS.md trap 4). Whether it counts against the limit is unknown.
    const t = now();
    const created: SimApiKey = { identifier: key, name: `${key}_auto`, description: 'Auto Generated API key', tags: {}, apiKeyType: type, parentIdentifier: sa, defaultTimeToExpireToken: h.DEFAULT_TOKEN_TTL, orgIdentifier: s.org, projectIdentifier: s.project, createdAt: t, lastModifiedAt: t };
    state.apiKeys.push(created);
    return created;
  }

  function mintToken(b: Body, s: Scope): string {
    const t = now();
    const validFrom = num(b.validFrom) ?? t;
    const validTo = num(b.validTo);
    if (validTo !== null && validTo < t) {
      throw h.invalidRequest(`Token's validTo cannot be set before current time TokenDTO: [TokenDTO(identifier=${String(b.identifier)}, name=${String(b.name)}, validTo=${validTo})]`);
    }
    if (validTo !== null && validFrom > validTo) throw h.invalidRequest("Token's validFrom cannot be after its validTo"); // wording inferred
    const key = apiKeyFor(b, s);
    const siblings = tokensOf(key.parentIdentifier, key.identifier, s, key.apiKeyType);
    if (siblings.length >= h.MAX_TOKENS_PER_KEY) throw h.limitReached();
    const identifier = String(b.identifier);
    if (siblings.some((x) => ci(x.identifier, identifier))) throw h.duplicate(`Try using different token name, [${identifier}] already exists`);
    const id = randomBytes(12).toString('hex');
    const secret = random(ALNUM, 20);
    state.tokens.push({
      id, secretHash: hash(secret), identifier, name: String(b.name), validFrom, validTo: validTo ?? validFrom + key.defaultTimeToExpireToken,
      scheduledExpireTime: num(b.scheduledExpireTime), apiKeyIdentifier: key.identifier, parentIdentifier: key.parentIdentifier,
      apiKeyType: key.apiKeyType, orgIdentifier: s.org, projectIdentifier: s.project, description: str(b.description), tags: tagsOf(b.tags), createdAt: t, lastModifiedAt: t,
    });
    return `${key.apiKeyType === 'USER' ? 'pat' : 'sat'}.${acc()}.${id}.${secret}`;
  }

  const findToken = (q: URLSearchParams, identifier: string | undefined) => {
    const token = tokensOf(q.get('parentIdentifier') ?? '', q.get('apiKeyIdentifier') ?? '', scopeOfQuery(q), q.get('apiKeyType') ?? '').find((t) => t.identifier === identifier);
    if (!token) throw h.unknownError(); // Preconditions.checkState("No token present with identifier")
    return token;
  };

  return {
    state, now, acc, expiry, sweep, authenticate, isDenied, requirePermission, serviceAccount, keysOf, tokensOf, inScope, page, search, identifiersFilter,
    saDto, saAggregate, keyDto, tokenDto, tokenAggregate, apiKeyFor, mintToken, findToken, scopeOfQuery, scopeOfBody,
  };
}
