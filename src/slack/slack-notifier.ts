import type { webApi } from '@slack/bolt';
import type Redis from 'ioredis';
import type { ApiKeyRequest } from '../domain/request';
import type { AppLogger } from '../logger';
import type { Notifier } from '../services/notifier';
import type { AuditFields } from '../store/audit-log';
import { redisKeys } from '../store/keys';
import { approvalMessage } from './views/approval-message';
import { auditLine } from './views/messages';

/** The Notifier over Slack's Web API. Failures are logged with context and never thrown. */
export class SlackNotifier implements Notifier {
  /** Audit-channel thread per request, remembered here too (Redis holds it for other replicas). */
  private readonly threads = new Map<string, string>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly redis: Redis,
    private readonly options: { approvalChannelId: string; auditChannelId?: string; auditStreamKey: string },
    private readonly logger: AppLogger,
  ) {}

  async postApproval(request: ApiKeyRequest) {
    return this.attempt('post the approval request', { requestId: request.id }, async () => {
      const res = await this.client.chat.postMessage({ channel: this.options.approvalChannelId, ...approvalMessage(request) });
      return res.channel && res.ts ? { channelId: res.channel, ts: res.ts } : undefined;
    });
  }

  async updateApproval(request: ApiKeyRequest) {
    if (!request.approvalChannelId || !request.approvalTs) {
      this.logger.warn('approval message location unknown; not updated', { requestId: request.id });
      return;
    }
    const { approvalChannelId: channel, approvalTs: ts } = request;
    await this.attempt('update the approval message', { requestId: request.id }, async () => {
      await this.client.chat.update({ channel, ts, ...approvalMessage(request) });
    });
  }

  async dm(userId: string, text: string) {
    await this.attempt('send a DM', { userId }, async () => {
      await this.client.chat.postMessage({ channel: userId, text, unfurl_links: false });
    });
  }

  async ephemeral(channelId: string, userId: string, text: string) {
    await this.attempt('send an ephemeral reply', { userId }, async () => {
      await this.client.chat.postEphemeral({ channel: channelId, user: userId, text });
    });
  }

  /** One line per event, threaded under the request's first line. */
  async mirrorAudit(fields: AuditFields) {
    const channel = this.options.auditChannelId;
    if (!channel) return;
    await this.attempt('mirror an audit event', { requestId: fields.requestId, event: fields.event }, async () => {
      const threadKey = redisKeys.auditMirror(this.options.auditStreamKey, fields.requestId);
      const threadTs = this.threads.get(fields.requestId) ?? (await this.redis.get(threadKey).catch(() => null));
      const res = await this.client.chat.postMessage({
        channel,
        text: auditLine(fields),
        unfurl_links: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
      if (!threadTs && res.ts) {
        if (this.threads.size >= 10_000) this.threads.delete(this.threads.keys().next().value!);
        this.threads.set(fields.requestId, res.ts);
        await this.redis.set(threadKey, res.ts, 'EX', 90 * 24 * 3600, 'NX').catch(() => undefined);
      }
    });
  }

  async userGroupMembers(userGroupId: string): Promise<string[]> {
    const res = await this.client.usergroups.users.list({ usergroup: userGroupId });
    return res.users ?? [];
  }

  private async attempt<T>(what: string, context: Record<string, unknown>, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      this.logger.error(`could not ${what}`, err, context);
      return undefined;
    }
  }
}
