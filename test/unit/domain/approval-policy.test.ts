import { checkDecision, isApprover } from '../../../src/domain/approval-policy';

const pending = { id: 'req-1', state: 'pending' as const, requesterId: 'U0DEV' };

describe('approval policy', () => {
  it('lets an approver decide somebody else’s pending request', () => {
    expect(checkDecision({ request: pending, actorId: 'U0ADMIN', actorIsApprover: true, decision: 'approve' })).toEqual({ allowed: true });
  });

  it('refuses non-approvers before anything else', () => {
    const v = checkDecision({ request: { ...pending, state: 'done' }, actorId: 'U0X', actorIsApprover: false, decision: 'deny' });
    expect(v).toMatchObject({ allowed: false, code: 'NOT_APPROVER' });
  });

  it('applies the four-eyes rule to approvers deciding their own request', () => {
    const v = checkDecision({ request: pending, actorId: 'U0DEV', actorIsApprover: true, decision: 'approve' });
    expect(v).toMatchObject({ allowed: false, code: 'SELF_DECISION' });
  });

  it('says who decided an already-decided request', () => {
    const v = checkDecision({ request: { ...pending, state: 'denied', approverId: 'U0B' }, actorId: 'U0A', actorIsApprover: true, decision: 'approve' });
    expect(v).toEqual({ allowed: false, code: 'ALREADY_DECIDED', message: 'Request req-1 was already decided (denied by <@U0B>). Nothing was changed.' });
  });

  it('counts members of the approvers user group', () => {
    expect(isApprover('U1', ['U0'], ['U1'])).toBe(true);
    expect(isApprover('U1', ['U0'], undefined)).toBe(false);
    expect(isApprover('U0', ['U0'], [])).toBe(true);
  });
});
