import { checkDecision, refusalMessage, type Decision } from '../domain/approval-policy';
import { auditFieldsFor } from '../domain/audit';
import type { ApiKeyRequest } from '../domain/request';
import type { AppLogger } from '../logger';
import type { AuditLog } from '../store/audit-log';
import type { DecisionViews } from '../store/decision-views';
import type { RefusalWindow } from '../store/refusal-window';
import type { RequestStore, TransitionResult } from '../store/request-store';
import type { ApproverDirectory } from './approvers';
import type { Execution } from './execution';
import type { Outbox } from './outbox';

/**
 * Where a decision came from: a button on a message (which must be the request's approval
 * message), or the deny modal the bot opened from that message.
 */
export type DecisionOrigin = { kind: 'message'; channelId?: string; messageTs?: string } | { kind: 'deny-modal'; viewId: string };

/** A reply for the person who clicked or submitted; `ok: false` means nothing changed. */
export type Outcome = { ok: true; message: string; request: ApiKeyRequest } | { ok: false; message: string; request?: ApiKeyRequest };

/**
 * Decisions on requests. Listeners call exactly one method here; the rules live in domain/ and
 * every state change is one RequestStore.transition (compare-and-set + audit entry + outbox).
 */
export class RequestService {
  constructor(
    private readonly deps: {
      store: RequestStore;
      audit: AuditLog;
      approvers: ApproverDirectory;
      execution: Execution;
      outbox: Outbox;
      views: DecisionViews;
      refusals: RefusalWindow;
      logger: AppLogger;
      now: () => Date;
    },
  ) {}

  /**
   * May `actorId` decide this request at all? Refusals of people who are not allowed are audited
   * (failed authorization attempts are security events).
   */
  async authorize(requestId: string, actorId: string, decision: Decision, origin: DecisionOrigin): Promise<Outcome> {
    const request = await this.deps.store.get(requestId);
    if (!request) return { ok: false, message: refusalMessage('NOT_FOUND', decision, { id: requestId, state: 'pending' }) };
    const fromApprovalMessage =
      origin.kind === 'message'
        ? origin.channelId !== undefined && origin.messageTs !== undefined && origin.channelId === request.approvalChannelId && origin.messageTs === request.approvalTs
        : await this.deps.views.opened(origin.viewId, request.id);
    const verdict = checkDecision({ request, actorId, actorIsApprover: await this.deps.approvers.isApprover(actorId), decision, fromApprovalMessage });
    if (verdict.allowed) return { ok: true, message: '', request };
    // A failed authorization is a security event: audited, but once per person and window.
    if (verdict.code !== 'ALREADY_DECIDED' && (await this.deps.refusals.first(request.id, actorId))) {
      const mirror = await this.deps.refusals.mayMirror(actorId);
      await this.deps.audit.append(auditFieldsFor(request, 'refused', actorId, this.deps.now(), { detail: `${decision}: ${verdict.code}` }), { mirror });
      this.deps.outbox.soon(request.id);
    }
    return { ok: false, message: verdict.message, request };
  }

  /** Approve, then execute in Harness. Exactly one of any number of concurrent approvals wins. */
  async approve(requestId: string, actorId: string, origin: DecisionOrigin): Promise<Outcome> {
    const decided = await this.decide(requestId, actorId, 'approve', origin);
    if (!decided.ok) return decided;
    const final = await this.deps.execution.execute(decided.request);
    return { ok: true, message: `Approved request ${requestId}.`, request: final ?? decided.request };
  }

  /** Deny with a reason (may be empty); the requester is told through the outbox. */
  async deny(requestId: string, actorId: string, reason: string, origin: DecisionOrigin): Promise<Outcome> {
    const decided = await this.decide(requestId, actorId, 'deny', origin, reason);
    return decided.ok ? { ...decided, message: `Denied request ${requestId}.` } : decided;
  }

  /** The deny modal opened for `requestId` from its approval message: only that modal may deny it. */
  async denyModalOpened(viewId: string, requestId: string): Promise<void> {
    await this.deps.views.remember(viewId, requestId);
  }

  private async decide(requestId: string, actorId: string, decision: Decision, origin: DecisionOrigin, reason = ''): Promise<Outcome> {
    const allowed = await this.authorize(requestId, actorId, decision, origin);
    if (!allowed.ok || !allowed.request) return allowed;
    const to = decision === 'approve' ? 'approved' : 'denied';
    const patch = { approverId: actorId, ...(reason ? { denyReason: reason } : {}) };
    let result: TransitionResult;
    try {
      result = await this.deps.store.transition(allowed.request, to, {
        actorId,
        forbidSelf: true,
        decision: true,
        patch,
        audit: { event: to, detail: reason || undefined },
      });
    } catch (err) {
      // The reply may be lost while the decision landed (a Redis timeout): look before failing.
      const landed = await this.deps.store.get(requestId).catch(() => undefined);
      if (!landed || landed.approverId !== actorId || landed.decidedAt === undefined || !decidedAs(landed, to)) throw err;
      result = { ok: true, request: landed };
    }
    this.deps.logger.info({ requestId, decision, actorId, outcome: result.ok ? 'recorded' : `refused: ${result.reason}` }, 'decision');
    if (!result.ok) {
      const code = result.reason === 'SELF' ? 'SELF_DECISION' : result.reason === 'STATE' ? 'ALREADY_DECIDED' : 'NOT_FOUND';
      const current = result.reason === 'STATE' ? { id: requestId, state: result.state, approverId: result.approverId } : { id: requestId, state: allowed.request.state };
      return { ok: false, message: refusalMessage(code, decision, current) };
    }
    this.deps.outbox.soon(requestId);
    return { ok: true, message: '', request: result.request };
  }
}

/** Whether `request` went through the `to` decision (approvals move on to executing and beyond). */
function decidedAs(request: ApiKeyRequest, to: 'approved' | 'denied'): boolean {
  return to === 'denied' ? request.state === 'denied' : ['approved', 'executing', 'done', 'failed'].includes(request.state);
}
