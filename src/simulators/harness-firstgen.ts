import { randomUUID } from 'node:crypto';
import { execute, parse, type DocumentNode } from 'graphql';
import { harnessSchema, validateDocument } from './harness-schema';
import { listen } from './http-server';

/**
 * A local Harness GraphQL endpoint: every document is validated against Harness's schema and
 * executed by graphql-js, with resolvers that behave like Harness's (paged user groups capped at
 * 100, duplicate names refused, unknown uuids answered with "apiKeyEntry is null for id", errors
 * as HTTP 200 with the "Exception while fetching data" prefix, 401 for a wrong key).
 */
export interface HarnessRequest {
  query: string;
  variables: Record<string, unknown>;
  apiKey?: string;
  accountIdParam?: string | null;
}

export type HarnessMode =
  | { kind: 'normal' }
  | { kind: 'status'; status: number; body: string; contentType?: string }
  | { kind: 'delay'; ms: number };

export interface FakeHarness {
  url: string;
  requests: HarnessRequest[];
  mutations(name: string): HarnessRequest[];
  invalidDocuments: { query: string; errors: string[] }[];
  groups: { id: string; name: string }[];
  keys: Map<string, { name: string; userGroupIds: string[] }>;
  mode: HarnessMode;
  /** How many requests were answered 429 for exceeding `rateLimit`. */
  readonly rateLimited: number;
  /** Applies `mode` only to the next n requests, then back to normal. */
  modeFor(mode: HarnessMode, n: number): void;
  close(): Promise<void>;
}

export const groupId = (i: number) => `grp${String(i).padStart(19, '0')}`;

export function makeGroups(n: number): { id: string; name: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: groupId(i), name: `team-${String(i).padStart(4, '0')}` }));
}

const wrap = (field: string, message: string) => new Error(`Exception while fetching data (/${field}) : ${message}`);

export async function startFakeHarness(options: {
  apiKey: string;
  accountId: string;
  groups?: { id: string; name: string }[];
  /** Harness's per-account limit (30 GraphQL calls a minute on SaaS): above it, 429 without Retry-After. */
  rateLimit?: { limit: number; windowMs: number };
}): Promise<FakeHarness> {
  const counted: number[] = [];
  const requests: HarnessRequest[] = [];
  let rateLimited = 0;
  const invalidDocuments: { query: string; errors: string[] }[] = [];
  const groups = options.groups ?? makeGroups(250);
  const keys = new Map<string, { name: string; userGroupIds: string[] }>();
  let mode: HarnessMode = { kind: 'normal' };
  const validated = new Map<string, DocumentNode>();
  let modeRemaining = Infinity;

  const checkAccount = (field: string, accountId: unknown) => {
    if (accountId !== options.accountId) throw wrap(field, `Operation not permitted for account [${String(accountId)}].`);
  };
  const nameTaken = (name: string, except?: string) => [...keys.entries()].some(([uuid, k]) => k.name === name && uuid !== except);
  const checkName = (field: string, name: string) => {
    if (!name.trim() || name !== name.trim()) throw wrap(field, 'Invalid API Key name');
  };

  type Input = { accountId: string; name: string; uuid: string; userGroupIds?: string[] | null; clientMutationId?: string };
  const root = {
    userGroups: ({ limit, offset }: { limit: number; offset?: number }) => {
      const size = Math.min(limit, 100);
      const start = offset ?? 0;
      const nodes = groups.slice(start, start + size);
      return { pageInfo: { hasMore: start + size < groups.length, total: groups.length, offset: start, limit: size }, nodes };
    },
    userGroup: ({ userGroupId }: { userGroupId: string }) => groups.find((g) => g.id === userGroupId) ?? null,
    userGroupByName: ({ name }: { name: string }) => groups.find((g) => g.name === name) ?? null,
    createApiKey: ({ input }: { input: Input }) => {
      checkAccount('createApiKey', input.accountId);
      checkName('createApiKey', input.name);
      if (nameTaken(input.name)) throw wrap('createApiKey', `Duplicate name ${input.name}`);
      const uuid = randomUUID().replace(/-/g, '').slice(0, 22);
      keys.set(uuid, { name: input.name, userGroupIds: input.userGroupIds ?? [] });
      return { clientMutationId: input.clientMutationId ?? null, name: input.name, uuid };
    },
    updateApiKey: ({ input }: { input: Input }) => {
      checkAccount('updateApiKey', input.accountId);
      const key = keys.get(input.uuid);
      if (!key) throw wrap('updateApiKey', `apiKeyEntry is null for id: ${input.uuid}`);
      checkName('updateApiKey', input.name);
      if (nameTaken(input.name, input.uuid)) throw wrap('updateApiKey', `Duplicate name ${input.name}`);
      // Harness REPLACES the groups: null or omitted means none.
      keys.set(input.uuid, { name: input.name, userGroupIds: input.userGroupIds ?? [] });
      return { clientMutationId: input.clientMutationId ?? null, name: input.name, uuid: input.uuid };
    },
    deleteApiKey: ({ input }: { input: Input }) => {
      checkAccount('deleteApiKey', input.accountId);
      if (!keys.delete(input.uuid)) throw wrap('deleteApiKey', `apiKeyEntry is null for id: ${input.uuid}`);
      return { clientMutationId: input.clientMutationId ?? null };
    },
  };

  const server = await listen(async (req, body, res) => {
    const send = (status: number, payload: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(payload);
    };
    if (req.method !== 'POST') return send(405, '{"errors":[{"message":"Method not allowed"}]}');
    const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
    const url = new URL(req.url ?? '/', 'http://x');
    const apiKey = req.headers['x-api-key'];
    requests.push({ query, variables: variables ?? {}, apiKey: typeof apiKey === 'string' ? apiKey : undefined, accountIdParam: url.searchParams.get('accountId') });

    if (options.rateLimit) {
      const now = Date.now();
      while (counted.length > 0 && counted[0]! <= now - options.rateLimit.windowMs) counted.shift();
      if (counted.length >= options.rateLimit.limit) {
        rateLimited++;
        return send(429, `{"errors":[{"message":"You've reached your account's rate limit for data queries. Please try again later."}]}`);
      }
      counted.push(now);
    }
    const active = modeRemaining > 0 ? mode : { kind: 'normal' as const };
    if (modeRemaining !== Infinity && modeRemaining > 0) modeRemaining--;
    if (active.kind === 'status') return send(active.status, active.body, active.contentType);
    if (active.kind === 'delay') await new Promise((r) => setTimeout(r, active.ms));

    if (apiKey !== options.apiKey) return send(401, '{"errors":[{"message":"Invalid Api Key"}]}');
    // Each distinct document is validated once (the bot sends a handful of constant ones).
    let document = validated.get(query);
    if (!document) {
      const errors = validateDocument(query);
      if (errors.length > 0) {
        invalidDocuments.push({ query, errors });
        return send(200, JSON.stringify({ errors: errors.map((message) => ({ message })) }));
      }
      document = parse(query);
      validated.set(query, document);
    }
    const result = await execute({ schema: harnessSchema, document, rootValue: root, variableValues: variables });
    return send(200, JSON.stringify(result));
  });

  return {
    url: `${server.url}/gateway/api/graphql`,
    requests,
    mutations: (name) => requests.filter((r) => new RegExp(`\\b${name}\\s*\\(`).test(r.query)),
    invalidDocuments,
    groups,
    keys,
    get mode() {
      return mode;
    },
    get rateLimited() {
      return rateLimited;
    },
    set mode(m: HarnessMode) {
      mode = m;
      modeRemaining = Infinity;
    },
    modeFor(m, n) {
      mode = m;
      modeRemaining = n;
    },
    close: server.close,
  };
}
