import type { AppLogger } from '../../logger';
import type { QueryService } from '../../services/queries';
import type { RequestService } from '../../services/request-service';
import type { RevealService } from '../../services/reveal';
import type { TokenSubmissionService } from '../../services/token-submissions';
import type { SubmissionService } from '../../services/submissions';
import type { HarnessDirectory } from '../../services/harness-directory';
import type { WorkQueue } from '../../services/work-queue';

/**
 * What listeners may use: services (never Redis or Harness directly), and `work` for what runs
 * after the ack, so a burst of clicks queues instead of running all at once.
 */
export interface ListenerDeps {
  requests: RequestService;
  submissions: SubmissionService;
  queries: QueryService;
  /** The create modal's picker: user groups (FirstGen) or service accounts (NextGen). */
  groups: HarnessDirectory;
  /** Which Harness the bot manages: it decides which modals people see, nothing else here. */
  harness: { generation: 'firstgen' | 'nextgen'; maxDays: number };
  /** NextGen only. */
  tokens?: TokenSubmissionService;
  reveal?: RevealService;
  work: WorkQueue;
  logger: AppLogger;
  /** False while Redis is unreachable: commands answer "temporarily unavailable" at once. */
  storeReady(): boolean;
}
