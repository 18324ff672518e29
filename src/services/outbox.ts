import type { Notification } from '../domain/notifications';
import type { ApiKeyRequest } from '../domain/request';
import type { AppLogger } from '../logger';
import type { AuditLog } from '../store/audit-log';
import type { DeliveryMark, OutboxStore } from '../store/outbox-store';
import type { RequestStore } from '../store/request-store';
import type { Notifier } from './notifier';
import type { WorkQueue } from './work-queue';

/** A replica that dies holding a subject's lock frees it after this. */
const LOCK_MS = 30_000;
/**
 * The longest one item may take: a Web API call timed out twice with its backoff (app.ts), plus
 * recording where it landed. Each item starts with at least this much of the lock left.
 */
const ITEM_MS = 25_000;

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
    let claim: Awaited<ReturnType<OutboxStore['claim']>> = 'held';
    for (let attempt = 0; attempt < 20 && claim === 'held'; attempt++) {
      claim = await this.deps.store.claim(subject, LOCK_MS);
      if (claim === 'held') await new Promise((r) => setTimeout(r, 100));
    }
    if (typeof claim === 'string') return 0;
    const { lock } = claim;
    let { items, marks } = claim;
    let delivered = 0;
    let released = false;
    try {
      // Items written while we deliver are picked up by the next round; a few rounds always suffice.
      for (let round = 0; round < 10; round++) {
        if (round > 0) {
          items = await this.deps.store.items(subject);
          if (items.length === 0) return delivered;
          marks = await this.deps.store.marks(subject);
        }
        const seen: Seen = { marks };
        for (const item of items) {
          // Lost the lock (a very slow Slack): stop, another replica carries on from here.
          if (!(await lock.held(ITEM_MS))) return delivered;
          let mark: DeliveryMark | undefined;
          try {
            mark = await this.send(subject, item.notification, seen);
          } catch (err) {
            this.deps.logger.warn('could not deliver a notification; it stays owed', err, { subject, kind: item.notification.kind });
            return delivered;
          }
          const left = await this.deps.store.remove(subject, item, lock, mark);
          if (mark) marks.set(mark.name, mark.value);
          delivered++;
          // Nothing left: the removal released the lock too.
          if (left === 0) {
            released = true;
            return delivered;
          }
        }
      }
      return delivered;
    } finally {
      if (!released) await lock.release();
    }
  }

  /** Delivers one item; answers the mark to record with its removal, if it leaves one. */
  private async send(subject: string, n: Notification, seen: Seen): Promise<DeliveryMark | undefined> {
    const { notifier, requests } = this.deps;
    if (n.kind === 'audit-mirror') {
      const entry = await this.deps.audit.entry(n.entryId);
      if (!entry) return undefined;
      const thread = subject === '-' ? undefined : seen.marks.get('thread');
      const ts = await notifier.auditRecorded(entry, thread);
      return thread || subject === '-' ? undefined : { name: 'thread', value: ts };
    }
    // Read once per round: items written after it (a newer state) come in the next round, with a new read.
    if (seen.request === undefined) seen.request = (await requests.get(subject)) ?? null;
    const request = seen.request;
    if (!request) return undefined;
    switch (n.kind) {
      case 'approval-post': {
        if (request.approvalTs) return undefined;
        const at = await notifier.requestSubmitted(request);
        await requests.recordApprovalMessage(request.id, at.channelId, at.ts);
        seen.request = { ...request, approvalChannelId: at.channelId, approvalTs: at.ts };
        return undefined;
      }
      case 'approval-update':
        if (request.approvalChannelId && request.approvalTs) await notifier.requestChanged(request);
        return undefined;
      case 'requester-dm': {
        const name = `dm:${n.about}`;
        if (seen.marks.has(name)) return undefined;
        const at = await notifier.tellRequester(request, n.about);
        return { name, value: `${at.channelId} ${at.ts}` };
      }
      case 'requester-dm-update': {
        const [channelId, ts] = (seen.marks.get('dm:done') ?? '').split(' ');
        await notifier.requesterDmChanged(request, n.about, channelId && ts ? { channelId, ts } : undefined);
        return undefined;
      }
    }
  }
}

/** What one delivery round has read: the request (null: gone) and the subject's marks. */
interface Seen {
  request?: ApiKeyRequest | null;
  marks: Map<string, string>;
}
