import type { AuditEntry } from '../domain/audit';
import type { ApiKeyRequest } from '../domain/request';
import type { AuditCheckpoint } from '../store/audit-chain';

/**
 * What the services tell people, in the domain's words. slack/slack-notifier.ts renders each verb
 * as a Slack message. Every method throws when the message could not be delivered: the outbox
 * (services/outbox.ts) keeps the item and delivers it again later.
 */
export interface MessageAt {
  channelId: string;
  ts: string;
}

export interface Notifier {
  /** Shows approvers a new request; returns where the message is. */
  requestSubmitted(request: ApiKeyRequest): Promise<{ channelId: string; ts: string }>;
  /** Redraws the approval message at `request.approvalChannelId`/`approvalTs` from the request as it is now. */
  requestChanged(request: ApiKeyRequest): Promise<void>;
  /** Shows on the approval message that the approved change waits for Harness's budget, `ahead` changes before it. */
  requestQueued(request: ApiKeyRequest, ahead: number): Promise<void>;
  /** Tells the requester where their request stands; returns where the DM is. */
  tellRequester(request: ApiKeyRequest, about: 'pending' | 'done' | 'failed' | 'denied' | 'expired'): Promise<MessageAt>;
  /** Rewrites the requester's result DM (at `dm`, or in a new DM when unknown). */
  requesterDmChanged(request: ApiKeyRequest, about: 'revealed' | 'reveal-expired', dm?: MessageAt): Promise<void>;
  /** Mirrors an audit entry to the audit channel, in `threadTs` when given; returns the message ts. */
  auditRecorded(entry: AuditEntry, threadTs?: string): Promise<string>;
  /** Posts an audit checkpoint to the audit channel (a copy out of Redis's reach); returns the message ts ('' without a channel). */
  checkpointRecorded(checkpoint: AuditCheckpoint): Promise<string>;
  /** Members of a Slack user group (the approvers group). */
  userGroupMembers(userGroupId: string): Promise<string[]>;
}
