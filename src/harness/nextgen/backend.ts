import type { ApiKeyRequest, NextGenTarget } from '../../domain/request';
import { AppError } from '../../errors';
import { baseRecord, type HarnessBackend, type Recovery } from '../backend';
import { HarnessError } from '../harness-error';
import type { NextGenApi } from './types';

const KEY_LIMIT = 5;

/**
 * NextGen: tokens under API keys under service accounts (shared/harness/nextgen/FACTS.md section 15).
 * A create reuses the API key of that name when the bot already made it, and always mints a token
 * with an explicit validTo; a rotation keeps the token's identifier and expiry. Writes are never
 * retried; a 500 on a delete is resolved by listing again.
 */
export function nextGenBackend(api: NextGenApi, options: { scope: string; now?: () => number }): HarnessBackend {
  const now = options.now ?? Date.now;
  return {
    generation: 'nextgen',
    checkAccess: async () => {
      await api.checkCredentials();
    },
    async execute(request, previous, at) {
      const t = target(request);
      const ref = { serviceAccount: t.serviceAccount.id, apiKey: t.apiKey, identifier: t.token };
      const record = (validTo: number, tokenId?: string) => ({
        ...baseRecord(request, at),
        ...(previous ? { createdAt: previous.createdAt } : {}),
        uuid: t.token,
        nextgen: { serviceAccount: t.serviceAccount, apiKey: t.apiKey, token: t.token, validTo, tokenId: tokenId ?? previous?.nextgen?.tokenId, scope: options.scope },
      });
      // Validity counts from the approval, not from the request: an approval days later still gets the days asked for.
      const validTo = () => now() + required(t.days) * 86_400_000;
      switch (request.operation) {
        case 'create': {
          await ensureApiKey(api, request, t);
          const until = validTo();
          const minted = await api.createToken({ ...ref, name: request.keyName, validTo: until, description: describe(request) });
          return { record: record(until, minted.tokenId), secret: minted.value };
        }
        case 'rotate': {
          const rotated = await api.rotateToken({ ...ref, previousValidUntil: now() + (t.graceMs ?? 0) });
          return { record: record(previous?.nextgen?.validTo ?? required(t.validTo), rotated.tokenId), secret: rotated.value };
        }
        case 'update': {
          const until = t.days === undefined ? undefined : validTo();
          const token = await api.updateToken({ ...ref, name: request.keyName, validTo: until });
          return { record: record(token.validTo ?? until ?? previous?.nextgen?.validTo ?? required(t.validTo)) };
        }
        case 'delete': {
          await deleteAnswered(api, t);
          return { record: { ...record(previous?.nextgen?.validTo ?? 0), ...(previous ?? {}), requestId: request.id, updatedAt: at, deletedAt: at } };
        }
      }
    },
    /**
     * After a crash: list the service account's keys and tokens. A create whose token exists
     * happened (its value, shown once, is lost); one whose token does not is simply made. Updates
     * and deletes are repeatable (a delete finds a missing token already gone). A rotation cannot
     * be told apart from Harness's own lists: it stays unknown.
     */
    async recover(request, previous, at): Promise<Recovery> {
      const t = target(request);
      if (request.operation === 'update' || request.operation === 'delete') return { kind: 'redo' };
      if (request.operation === 'rotate') return { kind: 'unknown' };
      const keys = await api.listApiKeys(t.serviceAccount.id);
      const key = keys.find((k) => k.identifier.toLowerCase() === t.apiKey.toLowerCase());
      const token = key ? (await api.listTokens({ serviceAccount: t.serviceAccount.id, apiKey: key.identifier })).find((k) => k.identifier === t.token) : undefined;
      if (!token) return { kind: 'redo' };
      return {
        kind: 'done',
        result: {
          record: {
            ...baseRecord(request, at),
            uuid: t.token,
            nextgen: { serviceAccount: t.serviceAccount, apiKey: t.apiKey, token: t.token, validTo: token.validTo ?? 0, scope: options.scope },
          },
        },
        note: 'The bot stopped just after Harness created the token, so its value (which Harness shows only once) is lost: request a rotation (/apikey rotate) to get a value.',
      };
    },
  };
}

/** The API key named in the request: the one the bot made earlier, or a new one (at most 5 per service account). */
async function ensureApiKey(api: NextGenApi, request: ApiKeyRequest, t: NextGenTarget): Promise<void> {
  const sa = t.serviceAccount.id;
  const same = (id: string) => id.toLowerCase() === t.apiKey.toLowerCase();
  const keys = await api.listApiKeys(sa);
  if (keys.some((k) => same(k.identifier))) return;
  if (keys.length >= KEY_LIMIT) {
    throw new HarnessError(
      'limit',
      `Service account ${t.serviceAccount.name} already has ${KEY_LIMIT} API keys, the most Harness allows. Delete one (/apikey delete, whole key) or choose another service account, then request again.`,
    );
  }
  try {
    await api.createApiKey({ serviceAccount: sa, identifier: t.apiKey, name: request.keyName, description: describe(request) });
  } catch (err) {
    // Another request for the same new key may have created it a moment ago: then use it.
    if (err instanceof HarnessError && err.kind === 'conflict' && (await api.listApiKeys(sa)).some((k) => same(k.identifier))) return;
    throw err;
  }
}

/** Deletes the token or the whole key; Harness answers 500 for an unknown id, so a 500 is checked by listing. */
async function deleteAnswered(api: NextGenApi, t: NextGenTarget): Promise<void> {
  const ref = { serviceAccount: t.serviceAccount.id, apiKey: t.apiKey, identifier: t.token };
  try {
    if (t.scope === 'key') await api.deleteApiKey({ serviceAccount: t.serviceAccount.id, identifier: t.apiKey });
    else await api.deleteToken(ref);
  } catch (err) {
    if (!(err instanceof HarnessError) || (err.kind !== 'uncertain' && err.kind !== 'not_found')) throw err;
    const stillThere =
      t.scope === 'key'
        ? (await api.listApiKeys(t.serviceAccount.id)).some((k) => k.identifier.toLowerCase() === t.apiKey.toLowerCase())
        : (await api.listTokens({ serviceAccount: t.serviceAccount.id, apiKey: t.apiKey }).catch(() => [])).some((k) => k.identifier === t.token && !k.rotatedOut);
    if (stillThere) throw err;
  }
}

const describe = (r: ApiKeyRequest) => `Requested by Slack user ${r.requesterId}, approved by ${r.approverId ?? 'unknown'} (request ${r.id})`;

function target(request: ApiKeyRequest): NextGenTarget {
  if (!request.nextgen) throw new AppError('NOT_FOUND', 'This request was made for Harness FirstGen and cannot run against NextGen.');
  return request.nextgen;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new AppError('NOT_FOUND', 'The request is missing the token validity.');
  return value;
}
