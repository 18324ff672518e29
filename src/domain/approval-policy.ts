import type { ApiKeyRequest } from './request';

/**
 * Who may decide a request, and the words for every refusal. The same rules are enforced again
 * inside the atomic Redis transition (state and four-eyes, store/lua.ts), which reports a code;
 * both paths word their refusal here.
 */
export type Decision = 'approve' | 'deny';
export type RefusalCode = 'NOT_APPROVER' | 'WRONG_PLACE' | 'SELF_DECISION' | 'ALREADY_DECIDED' | 'NOT_FOUND';

export type PolicyVerdict = { allowed: true } | { allowed: false; code: RefusalCode; message: string };

type Decided = Pick<ApiKeyRequest, 'id' | 'state' | 'approverId'>;

export function refusalMessage(code: RefusalCode, decision: Decision, request: Decided): string {
  switch (code) {
    case 'NOT_APPROVER':
      return `Only configured API key approvers can ${decision} requests. Request ${request.id} is unchanged.`;
    case 'WRONG_PLACE':
      return `Decide on request ${request.id} from its message in the approvals channel. Nothing was changed.`;
    case 'SELF_DECISION':
      return `You cannot ${decision} your own request: another approver has to decide ${request.id} (four-eyes rule).`;
    case 'ALREADY_DECIDED':
      return alreadyDecidedMessage(request);
    case 'NOT_FOUND':
      return `Request ${request.id} does not exist.`;
  }
}

export function checkDecision(input: {
  request: Pick<ApiKeyRequest, 'id' | 'state' | 'requesterId' | 'approverId'>;
  actorId: string;
  actorIsApprover: boolean;
  decision: Decision;
  /** Whether the click came from the request's own approval message (or its deny modal). Default true. */
  fromApprovalMessage?: boolean;
}): PolicyVerdict {
  const { request, actorId, actorIsApprover, decision } = input;
  const refuse = (code: RefusalCode): PolicyVerdict => ({ allowed: false, code, message: refusalMessage(code, decision, request) });
  if (!actorIsApprover) return refuse('NOT_APPROVER');
  if (input.fromApprovalMessage === false) return refuse('WRONG_PLACE');
  if (request.requesterId === actorId) return refuse('SELF_DECISION');
  if (request.state !== 'pending') return refuse('ALREADY_DECIDED');
  return { allowed: true };
}

export function alreadyDecidedMessage(request: Decided): string {
  const by = request.approverId ? ` by <@${request.approverId}>` : '';
  return `Request ${request.id} was already decided (${request.state}${by}). Nothing was changed.`;
}

/** Approver membership: the static list or the Slack user group's members. */
export function isApprover(userId: string, staticIds: readonly string[], groupMembers: readonly string[] | undefined): boolean {
  return staticIds.includes(userId) || (groupMembers?.includes(userId) ?? false);
}
