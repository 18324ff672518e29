import type { AuditEntry } from '../domain/audit';
import type { ApiKeyRequest } from '../domain/request';

/**
 * What the services tell people, in the domain's words. slack/slack-notifier.ts renders each verb
 * as a Slack message. Every method throws when the message could not be delivered: the outbox
 * (services/outbox.ts) keeps the item and delivers it again later.
 */
export interface Notifier {
  /** Shows approvers a new request; returns where the message is. */
  requestSubmitted(request: ApiKeyRequest): Promise<{ channelId: string; ts: string }>;
  /** Redraws the approval message at `request.approvalChannelId`/`approvalTs` from the request as it is now. */
  requestChanged(request: ApiKeyRequest): Promise<void>;
  /** Tells the requester where their request stands; returns the message ts. */
  tellRequester(request: ApiKeyRequest, about: 'pending' | 'done' | 'failed' | 'denied'): Promise<string>;
  /** Mirrors an audit entry to the audit channel, in `threadTs` when given; returns the message ts. */
  auditRecorded(entry: AuditEntry, threadTs?: string): Promise<string>;
  /** Members of a Slack user group (the approvers group). */
  userGroupMembers(userGroupId: string): Promise<string[]>;
}
