import { alreadyDecidedMessage, checkDecision, type Decision } from '../domain/approval-policy';
import { SUCCESS_EVENT, type ApiKeyRequest, type RequestState } from '../domain/request';
import { AppError } from '../errors';
import type { HarnessApi } from '../harness/client';
import { HarnessError } from '../harness/harness-error';
import type { AppLogger } from '../logger';
import { auditFieldsFor, type AuditFields, type AuditLog } from '../store/audit-log';
import type { KeyRecord, KeyRegistry } from '../store/key-registry';
import type { RequestStore, TransitionResult } from '../store/request-store';
import { doneDm, deniedDm, failedDm, pendingDm } from '../slack/views/messages';
import type { ApproverDirectory } from './approvers';
import type { Notifier } from './notifier';

/** Harness usually answers in milliseconds; past this, approvers see "sending to Harness…". */
const INTERIM_UPDATE_AFTER_MS = 1500;

export interface RequestServiceDeps {
  store: RequestStore;
  registry: KeyRegistry;
  audit: AuditLog;
  harness: HarnessApi;
  approvers: ApproverDirectory;
  notifier: Notifier;
  logger: AppLogger;
  harnessTimeoutMs: number;
  now?: () => Date;
}

/** A reply for the person who clicked or submitted; `ok: false` means nothing changed. */
export interface Outcome {
  ok: boolean;
  message: string;
  request?: ApiKeyRequest;
  audit?: AuditFields;
}

/**
 * The request lifecycle: submit, decide, execute against Harness, reconcile after a crash.
 * Listeners call exactly one method here; all rules live in domain/ and all state changes in
 * RequestStore.transition (one compare-and-set plus one audit entry each).
 */
export class RequestService {
  private readonly now: () => Date;

  constructor(private readonly deps: RequestServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** After the modal closed: post the request for approvers and tell the requester. */
  async announce(request: ApiKeyRequest, audit: AuditFields): Promise<void> {
    const posted = await this.deps.notifier.postApproval(request);
    if (posted) {
      await this.deps.store
        .annotate(request.id, { approvalChannelId: posted.channelId, approvalTs: posted.ts })
        .catch((err: unknown) => this.deps.logger.error('could not record where the approval message is', err, { requestId: request.id }));
    }
    await Promise.all([this.deps.notifier.dm(request.requesterId, pendingDm(request)), this.deps.notifier.mirrorAudit(audit)]);
  }

  /**
   * First half of a decision: may `actorId` decide this request at all? Refusals of people who
   * are not allowed are audited (failed authorization attempts are security events).
   */
  async authorize(requestId: string, actorId: string, decision: Decision): Promise<Outcome> {
    const request = await this.deps.store.get(requestId);
    if (!request) return { ok: false, message: `Request ${requestId} does not exist.` };
    const verdict = checkDecision({
      request,
      actorId,
      actorIsApprover: await this.deps.approvers.isApprover(actorId),
      decision,
    });
    if (verdict.allowed) return { ok: true, message: '', request };
    if (verdict.code !== 'ALREADY_DECIDED') {
      const fields = auditFieldsFor(request, 'refused', actorId, this.now(), { detail: `${decision}: ${verdict.code}` });
      await this.deps.audit.append(fields);
      void this.deps.notifier.mirrorAudit(fields);
    }
    return { ok: false, message: verdict.message, request };
  }

  /** Approve, then execute in Harness. Exactly one of any number of concurrent approvals wins. */
  async approve(requestId: string, actorId: string): Promise<Outcome> {
    const allowed = await this.authorize(requestId, actorId, 'approve');
    if (!allowed.ok || !allowed.request) return allowed;
    const result = await this.deps.store.transition(allowed.request, 'approved', {
      actorId,
      forbidSelf: true,
      patch: { approverId: actorId, decidedAt: this.now().toISOString() },
      audit: { event: 'approved' },
    });
    const refused = this.refusal(result, allowed.request, 'approve');
    if (refused || !result.ok) return refused ?? { ok: false, message: 'Nothing was changed.' };
    // The approval is mirrored at once. The approval message is updated once, with the outcome;
    // an interim "sending to Harness…" is shown only if Harness is slow, and never after the outcome.
    const mirrored = result.audit ? this.deps.notifier.mirrorAudit(result.audit) : Promise.resolve();
    let interim: Promise<void> | undefined;
    const timer = setTimeout(() => {
      interim = this.deps.notifier.updateApproval(result.request);
    }, INTERIM_UPDATE_AFTER_MS);
    let final: ApiKeyRequest | undefined;
    try {
      final = await this.execute(result.request, async () => {
        clearTimeout(timer);
        await Promise.all([interim, mirrored]);
      });
    } finally {
      // Also when another replica won the claim or the claim failed: its outcome must not be
      // overwritten by a late "sending to Harness…".
      clearTimeout(timer);
    }
    return { ok: true, message: `Approved request ${requestId}.`, request: final ?? result.request };
  }

  async deny(requestId: string, actorId: string, reason: string): Promise<Outcome> {
    const allowed = await this.authorize(requestId, actorId, 'deny');
    if (!allowed.ok || !allowed.request) return allowed;
    const result = await this.deps.store.transition(allowed.request, 'denied', {
      actorId,
      forbidSelf: true,
      patch: { approverId: actorId, decidedAt: this.now().toISOString(), ...(reason ? { denyReason: reason } : {}) },
      audit: { event: 'denied', detail: reason || undefined },
    });
    const refused = this.refusal(result, allowed.request, 'deny');
    if (refused || !result.ok) return refused ?? { ok: false, message: 'Nothing was changed.' };
    return { ok: true, message: `Denied request ${requestId}.`, request: result.request, audit: result.audit };
  }

  /** After the deny modal closed: update the approval message, mirror, tell the requester. */
  async notifyDenied(request: ApiKeyRequest, audit?: AuditFields): Promise<void> {
    await this.afterTransition({ ok: true, request, audit });
    await this.deps.notifier.dm(request.requesterId, deniedDm(request));
  }

  /**
   * Outbox step: claim approved -> executing (one replica wins), call Harness once, then record
   * done or failed. A create is never retried: Harness does not de-duplicate on clientMutationId.
   */
  async execute(approved: ApiKeyRequest, beforeOutcome?: () => Promise<void>): Promise<ApiKeyRequest | undefined> {
    const claim = await this.deps.store.transition(approved, 'executing', { actorId: approved.approverId ?? 'system' });
    if (!claim.ok) return undefined;
    const request = claim.request;
    const actorId = request.approverId ?? 'system';
    let record: KeyRecord;
    try {
      record = await this.callHarness(request);
    } catch (err) {
      const message = harnessFailureMessage(request, err);
      this.deps.logger.warn('harness call failed', err, { requestId: request.id, operation: request.operation });
      return this.finish(request, 'failed', { actorId, patch: { error: message }, audit: { event: 'failed', detail: message } }, beforeOutcome);
    }
    return this.finish(request, 'done', {
      actorId,
      patch: { keyUuid: record.uuid },
      audit: { event: SUCCESS_EVENT[request.operation] },
      registry: { record, previousName: request.previousName },
    }, beforeOutcome);
  }

  /**
   * Finds requests a crashed or disconnected replica left behind. `approved` ones are executed
   * (the claim keeps that to one replica); `executing` ones older than any Harness call can take
   * have an unknown outcome: they are failed with words that say so, never re-sent.
   */
  async reconcile(): Promise<number> {
    let handled = 0;
    const now = this.now().getTime();
    for (const id of await this.deps.store.openIds()) {
      const request = await this.deps.store.get(id);
      if (!request) continue;
      const age = now - Date.parse(request.updatedAt);
      if (request.state === 'approved' && age > 5_000) {
        this.deps.logger.info('reconciler executing an approved request', { requestId: id });
        await this.execute(request);
        handled++;
      } else if (request.state === 'executing' && age > this.deps.harnessTimeoutMs + 30_000) {
        const message =
          'The bot stopped while Harness was being called, so the outcome is unknown. Check Harness (Access Management → API Keys) before requesting again.';
        this.deps.logger.warn('reconciler failing a request with unknown outcome', { requestId: id });
        await this.finish(request, 'failed', {
          actorId: 'system',
          patch: { error: message },
          audit: { event: 'failed', detail: message },
        });
        handled++;
      }
    }
    return handled;
  }

  private async callHarness(request: ApiKeyRequest): Promise<KeyRecord> {
    const groupIds = request.userGroups.map((g) => g.id);
    const at = this.now().toISOString();
    const base = {
      name: request.keyName,
      userGroups: request.userGroups,
      requesterId: request.requesterId,
      approverId: request.approverId ?? 'system',
      requestId: request.id,
      createdAt: at,
      updatedAt: at,
    };
    switch (request.operation) {
      case 'create': {
        const key = await this.deps.harness.createApiKey({ name: request.keyName, userGroupIds: groupIds, clientMutationId: request.id });
        return { ...base, uuid: key.uuid, name: key.name };
      }
      case 'update': {
        const uuid = required(request.keyUuid, 'keyUuid');
        const previous = await this.deps.registry.get(uuid);
        const key = await this.deps.harness.updateApiKey({ uuid, name: request.keyName, userGroupIds: groupIds, clientMutationId: request.id });
        return { ...base, uuid, name: key.name, createdAt: previous?.createdAt ?? at };
      }
      case 'delete': {
        const uuid = required(request.keyUuid, 'keyUuid');
        const previous = await this.deps.registry.get(uuid);
        await this.deps.harness.deleteApiKey({ uuid, clientMutationId: request.id });
        return { ...base, ...previous, uuid, requestId: request.id, updatedAt: at, deletedAt: at };
      }
    }
  }

  /**
   * Records the end of an execution. The Harness call already happened, so a Redis outage here
   * must not lose the result: retry for a while, and log what Harness answered either way.
   */
  private async finish(
    request: ApiKeyRequest,
    to: RequestState,
    options: Parameters<RequestStore['transition']>[2],
    beforeOutcome?: () => Promise<void>,
  ): Promise<ApiKeyRequest | undefined> {
    let result: TransitionResult | undefined;
    for (let attempt = 0; attempt < 8 && !result; attempt++) {
      try {
        result = await this.deps.store.transition(request, to, options);
      } catch (err) {
        this.deps.logger.error('could not record the Harness outcome; retrying', err, {
          requestId: request.id,
          state: to,
          keyUuid: options.patch?.keyUuid,
          attempt,
        });
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
    if (!result?.ok) {
      this.deps.logger.error('Harness outcome NOT recorded; the reconciler will flag this request', {
        requestId: request.id,
        state: to,
        keyUuid: options.patch?.keyUuid,
      });
      return undefined;
    }
    await beforeOutcome?.();
    await this.afterTransition(result);
    const final = result.request;
    await this.deps.notifier.dm(final.requesterId, final.state === 'done' ? doneDm(final) : failedDm(final));
    return final;
  }

  private async afterTransition(result: TransitionResult & { ok: true }): Promise<void> {
    await Promise.all([
      this.deps.notifier.updateApproval(result.request),
      result.audit ? this.deps.notifier.mirrorAudit(result.audit) : Promise.resolve(),
    ]);
  }

  private refusal(result: TransitionResult, request: ApiKeyRequest, decision: Decision): Outcome | undefined {
    if (result.ok) return undefined;
    switch (result.reason) {
      case 'NOT_FOUND':
        return { ok: false, message: `Request ${request.id} does not exist.` };
      case 'SELF':
        return { ok: false, message: `You cannot ${decision} your own request.` };
      case 'STATE':
        return { ok: false, message: alreadyDecidedMessage({ id: request.id, state: result.state, approverId: result.approverId }) };
    }
  }
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new AppError('NOT_FOUND', `The request has no ${what}.`);
  return value;
}

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
