import type { RequestState } from './request';

/**
 * What a state change owes to people. Each item is written to the request's outbox in the same
 * atomic Redis step as the change itself, and delivered from there (services/outbox.ts): a crash
 * delays a message, it never loses one. Items are delivered in order, and delivery stops at the
 * first that fails, so the requester is never told a request waits for approval before the
 * approvers have been shown it.
 */
export type Notification =
  /** Post the request to the approvals channel (once: its location is recorded first). */
  | { kind: 'approval-post' }
  /** Redraw the approval message from the request as it is now. */
  | { kind: 'approval-update' }
  /** Tell the requester what happened. */
  | { kind: 'requester-dm'; about: 'pending' | 'done' | 'failed' | 'denied' | 'expired' }
  /** Rewrite the requester's result DM: the token was revealed, or its reveal window passed. */
  | { kind: 'requester-dm-update'; about: 'revealed' | 'reveal-expired' }
  /** Mirror one audit entry to the audit channel (added by the store, which knows the entry id). */
  | { kind: 'audit-mirror'; entryId: string };

/** The notifications a move into `state` owes, besides mirroring its audit entry. */
export function owedFor(state: RequestState): Notification[] {
  switch (state) {
    case 'pending':
      return [{ kind: 'approval-post' }, { kind: 'requester-dm', about: 'pending' }];
    case 'done':
    case 'failed':
    case 'denied':
      return [{ kind: 'approval-update' }, { kind: 'requester-dm', about: state }];
    case 'expired':
      return [{ kind: 'approval-update' }, { kind: 'requester-dm', about: 'expired' }];
    case 'approved':
    case 'executing':
      // The approval message changes once, with the outcome, a moment later.
      return [];
  }
}
