import { ClientError, GraphQLClient } from 'graphql-request';
import { z } from 'zod';
import { CREATE_API_KEY, DELETE_API_KEY, UPDATE_API_KEY, USER_GROUPS_PAGE } from './documents';
import { RATE_LIMIT_RETRIES, type CallBudget } from '../call-budget';
import { HarnessError, classifyGraphqlMessage, cleanHarnessMessage } from '../harness-error';

export interface HarnessUserGroup {
  id: string;
  name: string;
}

export interface ApiKeyPayload {
  uuid: string;
  name: string;
}

/** What the rest of the bot needs from Harness; the integration tests run the real client against a fake server. */
export interface HarnessApi {
  /** One cheap authenticated read, to find a wrong key or URL at start-up rather than at the first click. */
  checkAccess(): Promise<void>;
  listUserGroups(): Promise<HarnessUserGroup[]>;
  createApiKey(input: { name: string; userGroupIds: string[]; clientMutationId: string }): Promise<ApiKeyPayload>;
  updateApiKey(input: { uuid: string; name: string; userGroupIds: string[]; clientMutationId: string }): Promise<ApiKeyPayload>;
  deleteApiKey(input: { uuid: string; clientMutationId: string }): Promise<void>;
}

const PAGE_SIZE = 100; // Harness silently caps `limit` at 100.
const MAX_PAGES = 200; // 20,000 groups: a guard against a server that always says hasMore.

const userGroupsPage = z.object({
  userGroups: z.object({
    pageInfo: z.object({ hasMore: z.boolean().nullable() }).nullable(),
    nodes: z.array(z.object({ id: z.string(), name: z.string().nullable() }).nullable()).nullable(),
  }),
});
const keyFields = z.object({ uuid: z.string().min(1), name: z.string().nullable() });
const createPayload = z.object({ createApiKey: keyFields });
const updatePayload = z.object({ updateApiKey: keyFields });
const deletePayload = z.object({ deleteApiKey: z.object({ clientMutationId: z.string().nullable() }).nullable() });

export function createHarnessClient(options: {
  apiUrl: string;
  accountId: string;
  apiKey: string;
  timeoutMs: number;
  /** Waits for the account's call budget before each call (shared by replicas). */
  budget?: CallBudget;
}): HarnessApi {
  const url = new URL(options.apiUrl);
  // The account comes from the key; the query parameter is Harness's documented fallback.
  if (!url.searchParams.has('accountId')) url.searchParams.set('accountId', options.accountId);
  const client = new GraphQLClient(url.toString(), {
    headers: { 'x-api-key': options.apiKey },
  });

  async function run<T>(operation: string, document: string, variables: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    let data: unknown;
    for (let attempt = 0, answered = false; !answered; attempt++) {
      const ended = await options.budget?.beforeCall();
      try {
        data = await client.request({ document, variables, signal: AbortSignal.timeout(options.timeoutMs) });
        answered = true;
      } catch (err) {
        const failure = toHarnessError(operation, err, options.timeoutMs);
        // A 429 is refused before Harness acts: waited out, then sent again.
        if (!options.budget || failure.kind !== 'rate_limited' || attempt >= RATE_LIMIT_RETRIES) throw failure;
        await options.budget.rateLimited();
      } finally {
        await ended?.();
      }
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new HarnessError('bad_response', `Harness answered ${operation} with an unexpected response.`, 200, { cause: parsed.error });
    }
    return parsed.data;
  }

  return {
    async checkAccess() {
      await run('userGroups', USER_GROUPS_PAGE, { limit: 1, offset: 0 }, userGroupsPage);
    },

    async listUserGroups() {
      const groups: HarnessUserGroup[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const { userGroups } = await run('userGroups', USER_GROUPS_PAGE, { limit: PAGE_SIZE, offset: page * PAGE_SIZE }, userGroupsPage);
        const nodes = (userGroups.nodes ?? []).filter((n): n is { id: string; name: string | null } => n !== null);
        for (const n of nodes) groups.push({ id: n.id, name: n.name ?? n.id });
        if (!userGroups.pageInfo?.hasMore || nodes.length === 0) return groups;
      }
      return groups;
    },

    async createApiKey(input) {
      const res = await run(
        'createApiKey',
        CREATE_API_KEY,
        { input: { accountId: options.accountId, name: input.name, userGroupIds: input.userGroupIds, clientMutationId: input.clientMutationId } },
        createPayload,
      );
      return { uuid: res.createApiKey.uuid, name: res.createApiKey.name ?? input.name };
    },

    async updateApiKey(input) {
      // updateApiKey REPLACES the groups: the caller always passes the full intended set.
      const res = await run(
        'updateApiKey',
        UPDATE_API_KEY,
        {
          input: {
            accountId: options.accountId,
            uuid: input.uuid,
            name: input.name,
            userGroupIds: input.userGroupIds,
            clientMutationId: input.clientMutationId,
          },
        },
        updatePayload,
      );
      return { uuid: res.updateApiKey.uuid, name: res.updateApiKey.name ?? input.name };
    },

    async deleteApiKey(input) {
      await run(
        'deleteApiKey',
        DELETE_API_KEY,
        { input: { accountId: options.accountId, uuid: input.uuid, clientMutationId: input.clientMutationId } },
        deletePayload,
      );
    },
  };
}

function toHarnessError(operation: string, err: unknown, timeoutMs: number): HarnessError {
  if (err instanceof ClientError) {
    const status = err.response.status;
    const first = err.response.errors?.[0]?.message;
    if (status === 401) {
      return new HarnessError('unauthorized', 'Harness rejected the bot\'s API key (HTTP 401). An operator must check HARNESS_API_KEY.', status);
    }
    if (status === 429) {
      return new HarnessError('rate_limited', 'Harness rate limit reached (HTTP 429). Nothing was changed; try again in a minute.', status);
    }
    if (status >= 500) {
      return new HarnessError('unavailable', `Harness is unavailable (HTTP ${status}).`, status);
    }
    if (first) {
      const message = cleanHarnessMessage(first);
      const kind = classifyGraphqlMessage(message);
      return new HarnessError(kind, `Harness refused ${operation}: ${message}`, status);
    }
    return new HarnessError('bad_response', `Harness answered ${operation} with HTTP ${status}.`, status);
  }
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new HarnessError('timeout', `Harness did not answer ${operation} within ${timeoutMs} ms.`, undefined, { cause: err });
  }
  if (err instanceof SyntaxError) {
    return new HarnessError('bad_response', `Harness answered ${operation} with a body that is not JSON.`, undefined, { cause: err });
  }
  return new HarnessError('network', `Could not reach Harness for ${operation}.`, undefined, { cause: err });
}
