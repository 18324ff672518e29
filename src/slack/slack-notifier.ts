import type { webApi } from '@slack/bolt';
import type { AuditEntry } from '../domain/audit';
import type { ApiKeyRequest } from '../domain/request';
import type { AuditCheckpoint } from '../store/audit-chain';
import type { MessageAt, Notifier } from '../services/notifier';
import { approvalMessage } from './views/approval-message';
import { auditLine, checkpointLine } from './views/messages';
import { requesterMessage } from './views/requester-dm';

/** The services' Notifier, rendered as Slack messages. Failures throw: the outbox keeps what is owed. */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly channels: { approvalChannelId: string; auditChannelId?: string },
  ) {}

  async requestSubmitted(request: ApiKeyRequest) {
    const res = await this.client.chat.postMessage({ channel: this.channels.approvalChannelId, ...approvalMessage(request) });
    if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel or ts');
    return { channelId: res.channel, ts: res.ts };
  }

  async requestChanged(request: ApiKeyRequest) {
    if (!request.approvalChannelId || !request.approvalTs) return;
    await this.client.chat.update({ channel: request.approvalChannelId, ts: request.approvalTs, ...approvalMessage(request) });
  }

  async requestQueued(request: ApiKeyRequest, ahead: number) {
    if (!request.approvalChannelId || !request.approvalTs) return;
    await this.client.chat.update({ channel: request.approvalChannelId, ts: request.approvalTs, ...approvalMessage(request, { queuedAhead: ahead }) });
  }

  async tellRequester(request: ApiKeyRequest, about: 'pending' | 'done' | 'failed' | 'denied' | 'expired') {
    const res = await this.client.chat.postMessage({ channel: request.requesterId, ...requesterMessage(request, about), unfurl_links: false });
    if (!res.channel || !res.ts) throw new Error('chat.postMessage answered without channel or ts');
    return { channelId: res.channel, ts: res.ts };
  }

  async requesterDmChanged(request: ApiKeyRequest, about: 'revealed' | 'reveal-expired', dm?: MessageAt) {
    const message = requesterMessage(request, about);
    // Without blocks, chat.update would keep the old ones (and their Reveal button).
    if (dm) await this.client.chat.update({ channel: dm.channelId, ts: dm.ts, blocks: [], ...message });
    else await this.client.chat.postMessage({ channel: request.requesterId, ...message, unfurl_links: false });
  }

  async auditRecorded(entry: AuditEntry, threadTs?: string) {
    if (!this.channels.auditChannelId) return '';
    const res = await this.client.chat.postMessage({
      channel: this.channels.auditChannelId,
      text: auditLine(entry),
      unfurl_links: false,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return res.ts ?? '';
  }

  async checkpointRecorded(checkpoint: AuditCheckpoint) {
    if (!this.channels.auditChannelId) return '';
    const res = await this.client.chat.postMessage({ channel: this.channels.auditChannelId, text: checkpointLine(checkpoint), unfurl_links: false });
    return res.ts ?? '';
  }

  async userGroupMembers(userGroupId: string): Promise<string[]> {
    const res = await this.client.usergroups.users.list({ usergroup: userGroupId });
    return res.users ?? [];
  }
}
