import type { AuditEntry } from '../../../src/domain/audit';
import type { ApiKeyRequest } from '../../../src/domain/request';
import { createLogger } from '../../../src/logger';
import type { MessageAt, Notifier } from '../../../src/services/notifier';
import { Outbox } from '../../../src/services/outbox';
import { WorkQueue } from '../../../src/services/work-queue';
import { AuditLog } from '../../../src/store/audit-log';
import { redisKeys } from '../../../src/store/keys';
import { OutboxStore } from '../../../src/store/outbox-store';
import { RequestStore } from '../../../src/store/request-store';
import { useRealRedis } from '../../helpers/real-redis';
import { pendingRequest } from '../../helpers/requests';

/** Slack as the outbox sees it: every call recorded, each post at a new ts. */
class RecordingNotifier implements Notifier {
  calls: [string, ...unknown[]][] = [];
  private n = 0;
  /** Runs before each call (a test's way of making something happen meanwhile). */
  before: () => Promise<void> = () => Promise.resolve();
  private at(channelId: string): MessageAt {
    return { channelId, ts: `1700000000.00${++this.n}` };
  }
  async requestSubmitted(request: ApiKeyRequest) {
    await this.before();
    this.calls.push(['requestSubmitted', request.id]);
    return this.at('C0APPROVALS');
  }
  async requestChanged(request: ApiKeyRequest) {
    await this.before();
    this.calls.push(['requestChanged', request.approvalChannelId, request.approvalTs]);
  }
  async requestQueued() {}
  async tellRequester(_request: ApiKeyRequest, about: string) {
    await this.before();
    this.calls.push(['tellRequester', about]);
    return this.at('D0DEV');
  }
  async requesterDmChanged(_request: ApiKeyRequest, about: string, dm?: MessageAt) {
    await this.before();
    this.calls.push(['requesterDmChanged', about, dm]);
  }
  auditRecorded(entry: AuditEntry) {
    this.calls.push(['auditRecorded', entry.event]);
    return Promise.resolve(this.at('C0AUDIT').ts);
  }
  checkpointRecorded() {
    return Promise.resolve('');
  }
  userGroupMembers() {
    return Promise.resolve([]);
  }
}

describe('Outbox.deliver', () => {
  const real = useRealRedis();
  const logger = createLogger({ level: 'error', secrets: [], write: () => undefined });

  function outbox(clock?: () => number) {
    const requests = new RequestStore(real.redis, 'audit', false);
    const store = new OutboxStore(real.redis, clock);
    const notifier = new RecordingNotifier();
    const box = new Outbox({ store, requests, audit: new AuditLog(real.redis, 'audit', false), notifier, work: new WorkQueue(), logger });
    return { requests, store, notifier, box };
  }

  it('delivers in order; within one round a redraw names the message just posted and a DM rewrite goes to the DM just sent', async () => {
    const { requests, store, notifier, box } = outbox();
    const request = pendingRequest('req-round');
    await requests.create(request); // owes the approval post and the pending DM
    await store.owe(request.id, { kind: 'approval-update' });
    await store.owe(request.id, { kind: 'requester-dm', about: 'done' });
    await store.owe(request.id, { kind: 'requester-dm-update', about: 'revealed' });

    expect(await box.deliver(request.id)).toBe(5);
    expect(notifier.calls).toEqual([
      ['requestSubmitted', request.id],
      ['tellRequester', 'pending'],
      ['requestChanged', 'C0APPROVALS', '1700000000.001'],
      ['tellRequester', 'done'],
      ['requesterDmChanged', 'revealed', { channelId: 'D0DEV', ts: '1700000000.003' }],
    ]);
    expect(await store.items(request.id)).toEqual([]);
    expect(await real.redis.exists(redisKeys.outboxLock(request.id))).toBe(0);

    // Delivered marks hold: owing the pending DM again sends nothing new.
    await store.owe(request.id, { kind: 'requester-dm', about: 'pending' });
    expect(await box.deliver(request.id)).toBe(1);
    expect(notifier.calls).toHaveLength(5);
  });

  it('stops when its lock was lost during a slow call, leaving the rest owed and the new holder\'s lock alone', async () => {
    let clock = 0;
    const { requests, store, notifier, box } = outbox(() => clock);
    const request = pendingRequest('req-slow');
    await requests.create(request);
    notifier.before = async () => {
      notifier.before = () => Promise.resolve();
      // The first call takes 31 s: the lock expired and another replica took it meanwhile.
      clock += 31_000;
      await real.redis.set(redisKeys.outboxLock(request.id), 'another-replica', 'PX', 30_000);
    };

    expect(await box.deliver(request.id)).toBe(1);
    expect(notifier.calls.map((c) => c[0])).toEqual(['requestSubmitted']);
    expect((await store.items(request.id)).map((i) => i.notification)).toEqual([{ kind: 'requester-dm', about: 'pending' }]);
    expect(await real.redis.get(redisKeys.outboxLock(request.id))).toBe('another-replica');
  });
});
