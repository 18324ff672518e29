import type { z } from 'zod';
import type * as s from './schemas';
import type { NextGenApiKey, NextGenMintedToken, NextGenServiceAccount, NextGenToken } from './types';

/** Harness's tolerant response shapes → the bot's types (nulls become absent fields). */
export const toServiceAccount = (sa: z.infer<typeof s.serviceAccountSchema>, apiKeyCount?: number | null): NextGenServiceAccount => ({
  identifier: sa.identifier,
  name: sa.name ?? sa.identifier,
  ...(sa.email ? { email: sa.email } : {}),
  ...(sa.description ? { description: sa.description } : {}),
  ...(apiKeyCount != null ? { apiKeyCount } : {}),
});

const tagsOf = (t: Record<string, string | null> | null | undefined) =>
  Object.fromEntries(Object.entries(t ?? {}).filter((e): e is [string, string] => e[1] !== null));

export const toApiKey = (k: z.infer<typeof s.apiKeySchema>, serviceAccount: string): NextGenApiKey => ({
  identifier: k.identifier,
  name: k.name ?? k.identifier,
  serviceAccount: k.parentIdentifier ?? serviceAccount,
  ...(k.description ? { description: k.description } : {}),
  tags: tagsOf(k.tags),
  ...(k.defaultTimeToExpireToken != null ? { defaultTokenLifetimeMs: k.defaultTimeToExpireToken } : {}),
});

export const toToken = (a: z.infer<typeof s.tokenAggregateSchema>, serviceAccount: string, apiKey: string): NextGenToken => {
  const t = a.token;
  const expiresAt = a.expiryAt ?? t.scheduledExpireTime ?? t.validTo;
  return {
    identifier: t.identifier,
    name: t.name ?? t.identifier,
    serviceAccount: t.parentIdentifier ?? serviceAccount,
    apiKey: t.apiKeyIdentifier ?? apiKey,
    ...(t.validFrom != null ? { validFrom: t.validFrom } : {}),
    ...(t.validTo != null ? { validTo: t.validTo } : {}),
    ...(expiresAt != null ? { expiresAt } : {}),
    rotatedOut: t.scheduledExpireTime != null,
    ...(t.valid != null ? { valid: t.valid } : {}),
    ...(t.description ? { description: t.description } : {}),
    tags: tagsOf(t.tags),
  };
};

/** The value goes on as a non-enumerable property: JSON.stringify, pino and util.inspect skip it. */
export function minted<E extends object>(identifier: string, value: string, extra: E): NextGenMintedToken & E {
  const segments = value.split('.');
  const token = { identifier, tokenId: segments[segments.length - 2] ?? '', ...extra };
  Object.defineProperty(token, 'value', { value, enumerable: false });
  return token as NextGenMintedToken & E;
}
