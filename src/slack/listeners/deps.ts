import type { JobRunner } from '../../executor/jobs';
import type { AppLogger } from '../../logger';
import type { QueryService } from '../../services/queries';
import type { RequestService } from '../../services/request-service';
import type { SubmissionService } from '../../services/submissions';
import type { UserGroupDirectory } from '../../services/user-groups';

/**
 * What listeners may use: services for what must be answered inside the ack (validation, inline
 * errors, queries), and `jobs` for everything after it. Never Redis or Harness directly.
 */
export interface ListenerDeps {
  requests: RequestService;
  submissions: SubmissionService;
  queries: QueryService;
  groups: UserGroupDirectory;
  jobs: JobRunner;
  logger: AppLogger;
  /** False while Redis is unreachable: commands answer "temporarily unavailable" at once. */
  storeReady(): boolean;
}
