import { SUCCESS_EVENT, type ApiKeyRequest, type RequestState } from '../domain/request';
import { AppError } from '../errors';
import type { ExecutionResult, HarnessBackend } from '../harness/backend';
import { HarnessError } from '../harness/harness-error';
import type { AppLogger } from '../logger';
import type { KeyRegistry } from '../store/key-registry';
import type { RequestStore, TransitionOptions, TransitionResult } from '../store/request-store';
import type { TokenVault } from '../store/token-vault';
import type { Notifier } from './notifier';
import type { Outbox } from './outbox';

/** Harness usually answers in milliseconds; past this, approvers see "sending to Harness…". */
const INTERIM_UPDATE_AFTER_MS = 1500;

/**
 * Carries out an approved request in Harness, exactly once: claim approved -> executing (one
 * replica wins), call Harness once, record done or failed. A write is never retried: Harness does
 * not de-duplicate on clientMutationId.
 */
export class Execution {
  constructor(
    private readonly deps: {
      store: RequestStore;
      registry: KeyRegistry;
      harness: HarnessBackend;
      /** NextGen: where a new token's value waits for its one reveal, and for how long. */
      vault?: TokenVault;
      revealTtlMs: number;
      outbox: Outbox;
      notifier: Notifier;
      logger: AppLogger;
      now: () => Date;
      /** Pause between attempts to record an outcome while Redis is unreachable. */
      retryDelayMs?: (attempt: number) => number;
    },
  ) {}

  /** Returns the finished request, or undefined when another replica claimed it (or the outcome could not be recorded). */
  async execute(approved: ApiKeyRequest): Promise<ApiKeyRequest | undefined> {
    const claim = await this.deps.store.transition(approved, 'executing', { actorId: approved.approverId ?? 'system' });
    if (!claim.ok) return undefined;
    const request = claim.request;
    const actorId = request.approverId ?? 'system';
    const started = Date.now();
    // Only when Harness is slow: a courtesy, not owed (the outcome's update is). It lands before
    // the outcome is recorded, so it can never overwrite it.
    let interim: Promise<void> | undefined;
    const timer = setTimeout(() => {
      interim = this.deps.notifier.requestChanged(approved).catch((err: unknown) => this.deps.logger.warn('interim approval update failed', err, { requestId: request.id }));
    }, INTERIM_UPDATE_AFTER_MS);
    let result: ExecutionResult;
    try {
      result = await this.deps.harness.execute(request, request.keyUuid ? await this.deps.registry.get(request.keyUuid) : undefined, this.deps.now().toISOString());
    } catch (err) {
      clearTimeout(timer);
      await interim;
      const message = harnessFailureMessage(request, err);
      this.deps.logger.info({ requestId: request.id, operation: request.operation, outcome: 'failed', durationMs: Date.now() - started, err }, 'harness call');
      return this.finish(request, 'failed', { actorId, patch: { error: message }, audit: { event: 'failed', detail: message } });
    }
    clearTimeout(timer);
    await interim;
    this.deps.logger.info({ requestId: request.id, operation: request.operation, outcome: 'done', durationMs: Date.now() - started }, 'harness call');
    const { record } = result;
    const revealUntil = result.secret === undefined ? undefined : await this.keepForReveal(request, result.secret);
    return this.finish(request, 'done', {
      actorId,
      patch: { keyUuid: record.uuid, ...(revealUntil ? { revealUntil } : {}) },
      audit: { event: SUCCESS_EVENT[request.operation], detail: tokenDetail(result) },
      registry: { record, previousName: request.previousName },
    });
  }

  /**
   * Seals a new token's value for the requester's one reveal, before the outcome is recorded. If
   * Redis cannot take it, the value is lost (Harness shows it only once): the DM then says so and
   * offers a rotation.
   */
  private async keepForReveal(request: ApiKeyRequest, secret: string): Promise<number | undefined> {
    const until = this.deps.now().getTime() + this.deps.revealTtlMs;
    try {
      if (!this.deps.vault) throw new Error('no token vault configured');
      await this.deps.vault.put(request.id, secret, until);
      return until;
    } catch (err) {
      this.deps.logger.error('could not keep the new token for its reveal; the requester must rotate it', err, { requestId: request.id });
      return undefined;
    }
  }

  /**
   * Records the end of an execution. The Harness call already happened, so a Redis outage here
   * must not lose the result: retry for a while. A retry that finds the request already in the
   * target state means an earlier attempt landed and only its reply was lost: that is success.
   */
  async finish(request: ApiKeyRequest, to: RequestState, options: TransitionOptions): Promise<ApiKeyRequest | undefined> {
    const delay = this.deps.retryDelayMs ?? ((attempt: number) => Math.min(250 * 2 ** attempt, 5000));
    let result: TransitionResult | undefined;
    for (let attempt = 0; attempt < 8 && !result; attempt++) {
      try {
        result = await this.deps.store.transition(request, to, options);
      } catch (err) {
        this.deps.logger.error('could not record the Harness outcome; retrying', err, { requestId: request.id, state: to, keyUuid: options.patch?.keyUuid, attempt });
        await new Promise((r) => setTimeout(r, delay(attempt)));
      }
    }
    if (result && !result.ok && result.reason === 'STATE' && result.state === to) {
      const landed = await this.deps.store.get(request.id);
      if (landed) result = { ok: true, request: landed };
    }
    if (!result?.ok) {
      this.deps.logger.error('Harness outcome NOT recorded; the reconciler will flag this request', { requestId: request.id, state: to, keyUuid: options.patch?.keyUuid });
      return undefined;
    }
    this.deps.outbox.soon(request.id);
    return result.request;
  }

}


export const UNKNOWN_OUTCOME =
  'The bot stopped while Harness was being called, so the outcome is unknown. Check Harness (Access Management → API Keys) before requesting again.';

function harnessFailureMessage(request: ApiKeyRequest, err: unknown): string {
  if (err instanceof HarnessError) {
    if ((err.kind === 'timeout' || err.kind === 'network') && request.operation !== 'update') {
      return `${err.message} The outcome is unknown: check Harness (Access Management → API Keys) before requesting again.`;
    }
    return err.message;
  }
  if (err instanceof AppError) return err.message;
  return 'An unexpected error stopped the Harness call.';
}

/** What the audit records of a minted token: its id segment and expiry, never the value. */
function tokenDetail(result: ExecutionResult): string | undefined {
  const t = result.record.nextgen;
  if (!t) return undefined;
  return `token ${t.token}${t.tokenId ? ` (id ${t.tokenId})` : ''} valid to ${new Date(t.validTo).toISOString()}`;
}
