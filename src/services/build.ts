import type { webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import type { Config } from '../config';
import { createHarnessClient } from '../harness/client';
import type { AppLogger } from '../logger';
import { SlackNotifier } from '../slack/slack-notifier';
import { AuditLog } from '../store/audit-log';
import { KeyRegistry } from '../store/key-registry';
import { RequestStore } from '../store/request-store';
import { ApproverDirectory } from './approvers';
import { QueryService } from './queries';
import { RequestService } from './request-service';
import { SubmissionService } from './submissions';
import { UserGroupDirectory } from './user-groups';

export interface Services {
  requests: RequestService;
  submissions: SubmissionService;
  queries: QueryService;
  groups: UserGroupDirectory;
  notifier: SlackNotifier;
  slack: webApi.WebClient;
}

/**
 * Wires every service over one Redis connection and one Slack Web API client. Called by the
 * receiver (main thread) and by the background executor (its worker thread), each with its own
 * clients, so both run the same code.
 */
export function buildServices(
  config: Config,
  io: { redis: Redis; slack: webApi.WebClient; logger: AppLogger; fetch?: typeof fetch },
): Services {
  const { redis, slack, logger } = io;
  const harness = createHarnessClient({ ...config.harness, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const notifier = new SlackNotifier(
    slack,
    redis,
    { approvalChannelId: config.approvalChannelId, auditChannelId: config.auditChannelId, auditStreamKey: config.auditStreamKey },
    logger,
  );
  const groups = new UserGroupDirectory(redis, harness, config.userGroupCacheTtlSeconds, logger);
  const approvers = new ApproverDirectory(config.approvers.userIds, config.approvers.userGroupId, (id) => notifier.userGroupMembers(id));
  const store = new RequestStore(redis, config.auditStreamKey);
  const registry = new KeyRegistry(redis);
  const audit = new AuditLog(redis, config.auditStreamKey);
  return {
    requests: new RequestService({ store, registry, audit, harness, approvers, notifier, logger, harnessTimeoutMs: config.harness.timeoutMs }),
    submissions: new SubmissionService({ store, registry, groups }),
    queries: new QueryService({ store, registry, audit, approvers }),
    groups,
    notifier,
    slack,
  };
}
