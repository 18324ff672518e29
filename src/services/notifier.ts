import type { ApiKeyRequest } from '../domain/request';
import type { AuditFields } from '../store/audit-log';

/**
 * What the services need from Slack. Implemented by slack/slack-notifier.ts over the Web API;
 * every method except `userGroupMembers` is best-effort (logs, never throws) because a failed
 * notification must not undo or repeat a decision that is already recorded.
 */
export interface Notifier {
  postApproval(request: ApiKeyRequest): Promise<{ channelId: string; ts: string } | undefined>;
  updateApproval(request: ApiKeyRequest): Promise<void>;
  dm(userId: string, text: string): Promise<void>;
  ephemeral(channelId: string, userId: string, text: string): Promise<void>;
  mirrorAudit(fields: AuditFields): Promise<void>;
  userGroupMembers(userGroupId: string): Promise<string[]>;
}
