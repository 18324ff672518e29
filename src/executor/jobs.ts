import type { ApiKeyRequest } from '../domain/request';
import type { AuditFields } from '../store/audit-log';
import type { ModalView } from '../slack/views/block-kit';

/**
 * Work that happens after Slack has been answered. Listeners ack first and hand these over, so
 * the Harness call and the several Slack messages an approval sends never delay another ack.
 * Jobs are plain data: they cross a worker-thread boundary.
 */
export type Job =
  | { type: 'openView'; triggerId: string; view: ModalView; userId: string; channelId: string; warmGroups: boolean }
  | { type: 'announce'; request: ApiKeyRequest; audit: AuditFields }
  | { type: 'approve'; requestId: string; actorId: string; channelId: string }
  | { type: 'denyClicked'; requestId: string; actorId: string; channelId: string; triggerId: string }
  | { type: 'denied'; request: ApiKeyRequest; audit?: AuditFields }
  | { type: 'keyPicked'; viewId: string; hash?: string; uuid?: string }
  | { type: 'publishHome'; userId: string };

/** Jobs bound to a trigger_id that expires 3 s after the click: they jump the queue. */
export const isUrgent = (job: Job): boolean => job.type === 'openView' || job.type === 'denyClicked' || job.type === 'keyPicked';

export interface JobRunner {
  run(job: Job): void;
  start(): Promise<void>;
  /** Waits (bounded) for jobs under way, then releases the runner's resources. */
  stop(): Promise<void>;
}
