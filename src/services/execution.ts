import { SUCCESS_EVENT, type ApiKeyRequest, type RequestState } from '../domain/request';
import { AppError } from '../errors';
import type { ExecutionResult, HarnessBackend } from '../harness/backend';
import { HarnessError } from '../harness/harness-error';
import type { AppLogger } from '../logger';
import type { KeyRegistry } from '../store/key-registry';
import type { RequestStore, TransitionOptions, TransitionResult } from '../store/request-store';
import type { TokenVault } from '../store/token-vault';
import type { BudgetGate } from './harness-budget';
import type { Notifier } from './notifier';
import type { Outbox } from './outbox';

/** Harness usually answers in milliseconds; past this, approvers see "sending to Harness…". */
const INTERIM_UPDATE_AFTER_MS = 1500;
/** How often a running execution says it is alive (the reconciler's stale rule looks at this). */
export const HEARTBEAT_MS = 5_000;

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
      /** Harness's per-account budget, shared by replicas. */
      budget?: BudgetGate;
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
    return this.run(claim.request, approved, 'call');
  }

  /**
   * Finishes a request a crashed replica left `executing`. If Harness was never called it is
   * simply carried out; otherwise Harness is asked what the earlier call did, and only what
   * cannot be found out is reported as unknown.
   */
  async recover(stale: ApiKeyRequest): Promise<ApiKeyRequest | undefined> {
    return this.run(stale, stale, stale.harnessCalledAt ? 'recover' : 'call');
  }

  private async run(request: ApiKeyRequest, shownAs: ApiKeyRequest, mode: 'call' | 'recover'): Promise<ApiKeyRequest | undefined> {
    const actorId = request.approverId ?? 'system';
    const started = Date.now();
    // Only when Harness is slow: a courtesy, not owed (the outcome's update is). It lands before
    // the outcome is recorded, so it can never overwrite it.
    let interim: Promise<void> | undefined;
    const timer = setTimeout(() => {
      interim = this.deps.notifier.requestChanged(shownAs).catch((err: unknown) => this.deps.logger.warn('interim approval update failed', err, { requestId: request.id }));
    }, INTERIM_UPDATE_AFTER_MS);
    // While this runs (or waits for Harness's budget) no other replica may take it for crashed.
    const heartbeat = setInterval(() => void this.deps.store.markExecution(request.id, { heartbeatAt: this.deps.now().toISOString() }).catch(() => undefined), HEARTBEAT_MS);
    const stop = async () => {
      clearTimeout(timer);
      clearInterval(heartbeat);
      await interim;
    };
    let result: ExecutionResult;
    let note: string | undefined;
    let revealKept: number | undefined;
    try {
      const previous = request.keyUuid ? await this.deps.registry.get(request.keyUuid) : undefined;
      const at = this.deps.now().toISOString();
      // A value sealed before the crash means Harness answered: the change happened, and the value is still the requester's.
      const sealedUntil = mode === 'recover' ? await this.deps.vault?.sealedUntil(request.id) : undefined;
      let found = mode === 'recover' ? await this.inTurn(request, shownAs, () => this.deps.harness.recover(request, previous, at)) : ({ kind: 'redo' } as const);
      if (sealedUntil !== undefined) {
        const record = found.kind === 'done' ? found.result.record : previous;
        if (record) found = { kind: 'done', result: { record }, note: 'The bot stopped just after Harness answered; the new value was kept for you.' };
        revealKept = sealedUntil;
      }
      if (found.kind === 'unknown') {
        await stop();
        return this.finish(request, 'failed', { actorId: 'system', patch: { error: UNKNOWN_OUTCOME }, audit: { event: 'failed', detail: UNKNOWN_OUTCOME } });
      }
      if (found.kind === 'done') {
        result = found.result;
        note = found.note;
      } else {
        if (mode === 'recover') note = 'The bot stopped while Harness was being called; on restart it made the change again, which is safe for this kind of change.';
        result = await this.inTurn(request, shownAs, async () => {
          await this.deps.store.markExecution(request.id, { harnessCalledAt: this.deps.now().toISOString() });
          return this.deps.harness.execute(request, previous, at);
        });
      }
    } catch (err) {
      await stop();
      const message = harnessFailureMessage(request, err);
      this.deps.logger.info({ requestId: request.id, operation: request.operation, outcome: 'failed', durationMs: Date.now() - started, err }, 'harness call');
      return this.finish(request, 'failed', { actorId, patch: { error: message }, audit: { event: 'failed', detail: message } });
    }
    await stop();
    this.deps.logger.info({ requestId: request.id, operation: request.operation, outcome: note ? 'found' : 'done', durationMs: Date.now() - started }, 'harness call');
    const { record } = result;
    const revealUntil = result.secret === undefined ? revealKept : await this.keepForReveal(request, result.secret);
    const t = request.nextgen;
    if (request.operation === 'delete' && t?.scope === 'key') {
      // The other tokens under that key went with it.
      await this.deps.registry.markKeyDeleted(t.serviceAccount.id, t.apiKey, this.deps.now().toISOString()).catch((err: unknown) => this.deps.logger.warn('could not mark the tokens of a deleted key', err, { requestId: request.id }));
    }
    return this.finish(request, 'done', {
      actorId,
      patch: { ...(record.uuid ? { keyUuid: record.uuid } : {}), ...(revealUntil ? { revealUntil } : {}), ...(note ? { note } : {}) },
      audit: { event: SUCCESS_EVENT[request.operation], detail: [note, tokenDetail(result)].filter(Boolean).join(' ') || undefined },
      // A key whose uuid is unknown cannot be recorded under it.
      ...(record.uuid ? { registry: { record, previousName: request.previousName } } : {}),
    });
  }

  /** Waits for this change's turn in Harness's budget; approvers see "queued, n ahead" meanwhile. */
  private inTurn<T>(request: ApiKeyRequest, shownAs: ApiKeyRequest, work: () => Promise<T>): Promise<T> {
    const gate = this.deps.budget;
    if (!gate) return work();
    let shown = -1;
    const onQueued = (ahead: number) => {
      if (ahead === shown) return;
      shown = ahead;
      void this.deps.notifier.requestQueued(shownAs, ahead).catch((err: unknown) => this.deps.logger.warn('queued update failed', err, { requestId: request.id }));
    };
    return gate.inTurn(request.id, Date.parse(request.decidedAt ?? request.updatedAt), onQueued, work);
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
  'The bot stopped while Harness was being called, and Harness cannot tell whether the change happened. Check Harness (Access Management) before requesting again.';

function harnessFailureMessage(request: ApiKeyRequest, err: unknown): string {
  if (err instanceof HarnessError) {
    // A timeout, a lost connection or a server error on a write does not say whether Harness acted.
    if ((err.kind === 'timeout' || err.kind === 'network' || err.kind === 'unavailable') && request.operation !== 'update') {
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
