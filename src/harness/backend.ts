import type { KeyRecord } from '../domain/key-record';
import type { ApiKeyRequest } from '../domain/request';

/**
 * What the approval flow needs from Harness, whichever generation the account runs: one call that
 * carries out an approved request. FirstGen (GraphQL) changes API keys with user groups; NextGen
 * (REST) manages tokens under API keys under service accounts, and hands back a token value once.
 */
export interface HarnessBackend {
  readonly generation: 'firstgen' | 'nextgen';
  /** One cheap authenticated read, to name a wrong key or URL at start-up rather than at the first click. */
  checkAccess(): Promise<void>;
  /**
   * Carries out `request` (approved). `previous` is the bot's record of the key, if any; `at` is
   * the ISO time to record. A write is never retried here.
   */
  execute(request: ApiKeyRequest, previous: KeyRecord | undefined, at: string): Promise<ExecutionResult>;
  /**
   * After a crash while Harness was being called: what did that call do? `done` with what was
   * found, `redo` when Harness shows the change did not happen (or repeating it is harmless),
   * `unknown` when Harness cannot tell.
   */
  recover(request: ApiKeyRequest, previous: KeyRecord | undefined, at: string): Promise<Recovery>;
}

export type Recovery = { kind: 'done'; result: ExecutionResult; note: string } | { kind: 'redo' } | { kind: 'unknown' };

export interface ExecutionResult {
  /** The key (or token) as the registry should now record it. */
  record: KeyRecord;
  /** NextGen: the token value, returned by Harness this once. Never logged, never stored in plain text. */
  secret?: string;
}

/** The registry record fields every generation fills the same way. */
export function baseRecord(request: ApiKeyRequest, at: string): Omit<KeyRecord, 'uuid'> {
  return {
    name: request.keyName,
    userGroups: request.userGroups,
    requesterId: request.requesterId,
    approverId: request.approverId ?? 'system',
    requestId: request.id,
    createdAt: at,
    updatedAt: at,
  };
}
