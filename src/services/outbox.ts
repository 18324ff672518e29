import type { Notification } from '../domain/notifications';
import type { AppLogger } from '../logger';
import type { AuditLog } from '../store/audit-log';
import type { OutboxStore } from '../store/outbox-store';
import type { RequestStore } from '../store/request-store';
import type { Notifier } from './notifier';
import type { WorkQueue } from './work-queue';

/** Longer than any delivery takes; a replica that dies holding the lock frees it after this. */
const LOCK_MS = 30_000;

/**
 * Delivers what state changes owe to people (domain/notifications.ts), in order, at least once.
 * Right after each change the replica that made it delivers; the reconciler delivers whatever a
 * crash or an outage left. A repeat updates rather than posts wherever it can: the approval
 * message's location is recorded the moment Slack answers, and each DM is marked as sent. One
 * window remains (Slack has no idempotency key): a crash between Slack accepting a post and the
 * bot recording it posts that message twice (measured in test/integration/crash-recovery.test.ts).
 */
export class Outbox {
  constructor(
    private readonly deps: { store: OutboxStore; requests: RequestStore; audit: AuditLog; notifier: Notifier; work: WorkQueue; logger: AppLogger },
  ) {}

  /** Delivers the subject's outbox in the background, right away. */
  soon(subject: string): void {
    this.deps.work.later(() => this.deliver(subject), (err) => this.deps.logger.warn('outbox delivery failed; the reconciler retries', err, { subject }));
  }

  /**
   * Delivers every item owed by `subject` (a request id, or '-'), stopping at the first failure.
   * Returns how many were delivered. If another replica holds the subject, waits for it briefly:
   * it may have missed items written after it looked.
   */
  async deliver(subject: string): Promise<number> {
    let lock: Awaited<ReturnType<OutboxStore['lock']>>;
    for (let attempt = 0; attempt < 20 && !lock; attempt++) {
      lock = await this.deps.store.lock(subject, LOCK_MS);
      if (!lock) await new Promise((r) => setTimeout(r, 100));
    }
    if (!lock) return 0;
    let delivered = 0;
    try {
      // Items written while we deliver are picked up by the next round; a few rounds always suffice.
      for (let round = 0; round < 10; round++) {
        const items = await this.deps.store.items(subject);
        if (items.length === 0) return delivered;
        for (const item of items) {
          // Lost the lock (a very slow Slack): stop, another replica carries on from here.
          if (!(await lock.renew())) return delivered;
          try {
            await this.send(subject, item.notification);
          } catch (err) {
            this.deps.logger.warn('could not deliver a notification; it stays owed', err, { subject, kind: item.notification.kind });
            return delivered;
          }
          await this.deps.store.remove(subject, item);
          delivered++;
        }
      }
      return delivered;
    } finally {
      await lock.release();
    }
  }

  private async send(subject: string, n: Notification): Promise<void> {
    const { notifier, requests, store } = this.deps;
    if (n.kind === 'audit-mirror') {
      const entry = await this.deps.audit.entry(n.entryId);
      if (!entry) return;
      const thread = subject === '-' ? undefined : await store.mark(subject, 'thread');
      const ts = await notifier.auditRecorded(entry, thread);
      if (!thread && subject !== '-') await store.setMark(subject, 'thread', ts);
      return;
    }
    const request = await requests.get(subject);
    if (!request) return;
    switch (n.kind) {
      case 'approval-post': {
        if (request.approvalTs) return;
        const at = await notifier.requestSubmitted(request);
        await requests.recordApprovalMessage(request.id, at.channelId, at.ts);
        return;
      }
      case 'approval-update':
        if (request.approvalChannelId && request.approvalTs) await notifier.requestChanged(request);
        return;
      case 'requester-dm': {
        const mark = `dm:${n.about}`;
        if (await store.mark(subject, mark)) return;
        const at = await notifier.tellRequester(request, n.about);
        await store.setMark(subject, mark, `${at.channelId} ${at.ts}`);
        return;
      }
      case 'requester-dm-update': {
        const [channelId, ts] = ((await store.mark(subject, 'dm:done')) ?? '').split(' ');
        await notifier.requesterDmChanged(request, n.about, channelId && ts ? { channelId, ts } : undefined);
        return;
      }
    }
  }
}
