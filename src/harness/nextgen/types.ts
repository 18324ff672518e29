/** What the bot reads and writes through the NextGen client (src/harness/nextgen/client.ts). */

export interface NextGenServiceAccount {
  identifier: string;
  name: string;
  email?: string;
  description?: string;
  /** Harness calls it tokensCount but counts API keys; absent when listed at org/project scope. */
  apiKeyCount?: number;
}

export interface NextGenApiKey {
  identifier: string;
  name: string;
  serviceAccount: string;
  description?: string;
  tags: Record<string, string>;
  /** Lifetime Harness gives tokens created without validTo (30 days unless set). */
  defaultTokenLifetimeMs?: number;
}

export interface NextGenToken {
  identifier: string;
  name: string;
  serviceAccount: string;
  apiKey: string;
  validFrom?: number;
  validTo?: number;
  /** When it actually stops working: the rotation deadline of a rotated-out token, else validTo. */
  expiresAt?: number;
  /** A rotated-out token ("rotated_…"): still counts against the 5-token limit until it expires. */
  rotatedOut: boolean;
  valid?: boolean;
  description?: string;
  tags: Record<string, string>;
}

/**
 * A freshly minted token. `value` is shown by Harness only once; it is a non-enumerable property so
 * that JSON.stringify, pino and util.inspect leave it out: read it explicitly, hand it to the person,
 * keep only `tokenId` (the value's third segment, which tells generations of one identifier apart).
 */
export interface NextGenMintedToken {
  identifier: string;
  tokenId: string;
  readonly value: string;
}

export interface NextGenRotatedToken extends NextGenMintedToken {
  /** When the previous value stops working (the rotateTimestamp sent). */
  previousValidUntil: number;
}

export interface TokenRef {
  serviceAccount: string;
  apiKey: string;
  identifier: string;
}

export interface NextGenApi {
  /** One cheap authenticated read for start-up; throws 'unauthorized' when the credential is bad. */
  checkCredentials(): Promise<{ visibleServiceAccounts?: number }>;
  /** Every service account the bot may view in its scope (all pages). */
  listServiceAccounts(): Promise<NextGenServiceAccount[]>;
  getServiceAccount(identifier: string): Promise<NextGenServiceAccount | undefined>;
  listApiKeys(serviceAccount: string, identifiers?: string[]): Promise<NextGenApiKey[]>;
  createApiKey(input: {
    serviceAccount: string;
    identifier: string;
    name: string;
    description?: string;
    tags?: Record<string, string>;
    defaultTokenLifetimeMs?: number;
  }): Promise<NextGenApiKey>;
  /** Deletes the key and every token under it. */
  deleteApiKey(input: { serviceAccount: string; identifier: string }): Promise<void>;
  listTokens(input: { serviceAccount: string; apiKey: string }): Promise<NextGenToken[]>;
  /** Refuses (not_found) when the API key does not exist, instead of letting Harness create "<key>_auto". */
  createToken(input: TokenRef & { name: string; validTo: number; validFrom?: number; description?: string; tags?: Record<string, string> }): Promise<NextGenMintedToken>;
  /**
   * The old value keeps working until `previousValidUntil` (now = cut off at once); the new token
   * keeps the old validTo. Needs a free token slot: refuses ('limit') at 5 tokens rather than let
   * Harness half-rotate.
   */
  rotateToken(input: TokenRef & { previousValidUntil?: number }): Promise<NextGenRotatedToken>;
  /** Changes name and/or validTo (and description/tags), keeping the rest. */
  updateToken(input: TokenRef & { name?: string; validTo?: number; description?: string; tags?: Record<string, string> }): Promise<NextGenToken>;
  deleteToken(input: TokenRef): Promise<void>;
}
