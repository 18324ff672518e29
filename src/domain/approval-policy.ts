import type { ApiKeyRequest } from './request';

/**
 * Who may decide a request. The authoritative check runs again inside the atomic Redis
 * transition (state and four-eyes); this function gives the reason in words first.
 */
export type Decision = 'approve' | 'deny';

export type PolicyVerdict =
  | { allowed: true }
  | { allowed: false; code: 'NOT_APPROVER' | 'SELF_DECISION' | 'ALREADY_DECIDED'; message: string };

export function checkDecision(input: {
  request: Pick<ApiKeyRequest, 'id' | 'state' | 'requesterId' | 'approverId'>;
  actorId: string;
  actorIsApprover: boolean;
  decision: Decision;
}): PolicyVerdict {
  const { request, actorId, actorIsApprover, decision } = input;
  if (!actorIsApprover) {
    return {
      allowed: false,
      code: 'NOT_APPROVER',
      message: `Only configured API key approvers can ${decision} requests. Request ${request.id} is unchanged.`,
    };
  }
  if (request.requesterId === actorId) {
    return {
      allowed: false,
      code: 'SELF_DECISION',
      message: `You cannot ${decision} your own request: another approver has to decide ${request.id} (four-eyes rule).`,
    };
  }
  if (request.state !== 'pending') {
    return { allowed: false, code: 'ALREADY_DECIDED', message: alreadyDecidedMessage(request) };
  }
  return { allowed: true };
}

export function alreadyDecidedMessage(request: Pick<ApiKeyRequest, 'id' | 'state' | 'approverId'>): string {
  const by = request.approverId ? ` by <@${request.approverId}>` : '';
  return `Request ${request.id} was already decided (${request.state}${by}). Nothing was changed.`;
}

/** Approver membership: the static list or the Slack user group's members. */
export function isApprover(userId: string, staticIds: readonly string[], groupMembers: readonly string[] | undefined): boolean {
  return staticIds.includes(userId) || (groupMembers?.includes(userId) ?? false);
}
