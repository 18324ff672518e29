import type { AppLogger } from '../../logger';
import type { Notifier } from '../../services/notifier';
import type { QueryService } from '../../services/queries';
import type { RequestService } from '../../services/request-service';
import type { SubmissionService } from '../../services/submissions';
import type { UserGroupDirectory } from '../../services/user-groups';

/** What listeners may use: services, never Redis or Harness directly. */
export interface ListenerDeps {
  requests: RequestService;
  submissions: SubmissionService;
  queries: QueryService;
  groups: UserGroupDirectory;
  notifier: Notifier;
  logger: AppLogger;
  /** False while Redis is unreachable: commands answer "temporarily unavailable" at once. */
  storeReady(): boolean;
}
