import type { AppLogger } from '../../logger';
import type { QueryService } from '../../services/queries';
import type { RequestService } from '../../services/request-service';
import type { SubmissionService } from '../../services/submissions';
import type { UserGroupDirectory } from '../../services/user-groups';
import type { WorkQueue } from '../../services/work-queue';

/**
 * What listeners may use: services (never Redis or Harness directly), and `work` for what runs
 * after the ack, so a burst of clicks queues instead of running all at once.
 */
export interface ListenerDeps {
  requests: RequestService;
  submissions: SubmissionService;
  queries: QueryService;
  groups: UserGroupDirectory;
  work: WorkQueue;
  logger: AppLogger;
  /** False while Redis is unreachable: commands answer "temporarily unavailable" at once. */
  storeReady(): boolean;
}
