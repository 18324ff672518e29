import type { ApiKeyRequest } from '../../../src/domain/request';
import type { HarnessBackend } from '../../../src/harness/backend';
import { createLogger } from '../../../src/logger';
import { ApproverDirectory } from '../../../src/services/approvers';
import { Execution } from '../../../src/services/execution';
import { RequestService } from '../../../src/services/request-service';
import type { Notifier } from '../../../src/services/notifier';
import type { Outbox } from '../../../src/services/outbox';
import type { HarnessDirectory } from '../../../src/services/harness-directory';
import { SubmissionService } from '../../../src/services/submissions';
import { groupId } from '../../../src/simulators/harness-firstgen';
import { AuditLog } from '../../../src/store/audit-log';
import { DecisionViews } from '../../../src/store/decision-views';
import { KeyRegistry } from '../../../src/store/key-registry';
import { RefusalWindow } from '../../../src/store/refusal-window';
import { RequestStore, type TransitionOptions } from '../../../src/store/request-store';
import { useRealRedis } from '../../helpers/real-redis';
import { pendingRequest } from '../../helpers/requests';

/** A store whose reply to the outcome's transition is lost once: Redis applied it, the bot heard a timeout. */
class LossyStore extends RequestStore {
  lost = 0;
  override async transition(request: ApiKeyRequest, to: ApiKeyRequest['state'], options: TransitionOptions) {
    const result = await super.transition(request, to, options);
    if (to === 'done' && this.lost === 0) {
      this.lost++;
      throw new Error('Command timed out');
    }
    return result;
  }
}

/** A store whose reply to the decision is lost: Redis applied `landed` (by `by`), the bot heard a timeout. */
class LostDecisionStore extends RequestStore {
  lost = 0;
  by?: string;
  override async transition(request: ApiKeyRequest, to: ApiKeyRequest['state'], options: TransitionOptions) {
    if ((to === 'approved' || to === 'denied') && this.lost === 0) {
      this.lost++;
      await super.transition(request, to, { ...options, actorId: this.by ?? options.actorId, patch: { ...options.patch, approverId: this.by ?? options.actorId } });
      throw new Error('Command timed out');
    }
    return super.transition(request, to, options);
  }
}

const harness: HarnessBackend = {
  generation: 'firstgen',
  checkAccess: () => Promise.resolve(),
  execute: (r) => Promise.resolve({ record: { uuid: 'uuid-1', name: r.keyName, userGroups: r.userGroups, requesterId: r.requesterId, approverId: 'U0ADMIN', requestId: r.id, createdAt: '', updatedAt: '' } }),
  recover: () => Promise.resolve({ kind: 'unknown' }),
};

describe('a lost Redis reply is not a failure', () => {
  const real = useRealRedis();
  const logger = createLogger({ level: 'error', secrets: [], write: () => undefined });

  /** The decision service as app.ts wires it, on `store`; `told` collects what the outbox was asked to deliver. */
  function decisions(store: RequestStore, told: string[]) {
    const outbox = { soon: (id: string) => told.push(id) } as unknown as Outbox;
    const execution = new Execution({ store, registry: new KeyRegistry(real.redis), harness, revealTtlMs: 60_000, outbox, notifier: { requestChanged: () => Promise.resolve() } as unknown as Notifier, logger, now: () => new Date(), retryDelayMs: () => 5 });
    const approvers = new ApproverDirectory(['U0ADMIN', 'U0OTHER'], undefined, () => Promise.resolve([]));
    return new RequestService({ store, audit: new AuditLog(real.redis, 'audit', false), approvers, execution, outbox, views: new DecisionViews(real.redis), refusals: new RefusalWindow(real.redis), logger, now: () => new Date() });
  }
  const onMessage = { kind: 'message', channelId: 'C0APPROVALS', messageTs: '1.0001' } as const;
  const pending = (id: string): ApiKeyRequest => ({ ...pendingRequest(id), approvalChannelId: 'C0APPROVALS', approvalTs: '1.0001' });

  it('an approver whose approval landed but whose reply was lost is told it is approved, and it runs', async () => {
    const store = new LostDecisionStore(real.redis, 'audit', false);
    await store.create(pending('req-lost-approve'));
    const told: string[] = [];
    const outcome = await decisions(store, told).approve('req-lost-approve', 'U0ADMIN', onMessage);
    expect(store.lost).toBe(1);
    expect(outcome).toMatchObject({ ok: true, message: 'Approved request req-lost-approve.', request: { state: 'done', approverId: 'U0ADMIN' } });
    expect(outcome.message).not.toMatch(/Nothing was changed/);
    expect(told).toContain('req-lost-approve');
  });

  it('likewise for a denial', async () => {
    const store = new LostDecisionStore(real.redis, 'audit', false);
    await store.create(pending('req-lost-deny'));
    const told: string[] = [];
    const outcome = await decisions(store, told).deny('req-lost-deny', 'U0ADMIN', 'not needed', onMessage);
    expect(outcome).toMatchObject({ ok: true, message: 'Denied request req-lost-deny.' });
    expect(await real.redis.hget('apikey:req:req-lost-deny', 'state')).toBe('denied');
    expect(told).toEqual(['req-lost-deny']);
  });

  it('but a decision that landed for someone else is not taken for one\'s own: the error stands', async () => {
    const store = new LostDecisionStore(real.redis, 'audit', false);
    store.by = 'U0OTHER';
    await store.create(pending('req-lost-other'));
    const told: string[] = [];
    await expect(decisions(store, told).approve('req-lost-other', 'U0ADMIN', onMessage)).rejects.toThrow('Command timed out');
    expect(await real.redis.hget('apikey:req:req-lost-other', 'approverId')).toBe('U0OTHER');
    expect(told).toEqual([]);
  });

  it('recording an outcome whose reply was lost finds it landed, and the requester is told', async () => {
    const store = new LossyStore(real.redis, 'audit', false);
    const request = pendingRequest('req-lost');
    await store.create(request);
    const decided = await store.transition(request, 'approved', { actorId: 'U0ADMIN', patch: { approverId: 'U0ADMIN' }, audit: { event: 'approved' } });
    if (!decided.ok) throw new Error('not approved');
    const told: string[] = [];
    const harness: HarnessBackend = {
      generation: 'firstgen',
      checkAccess: () => Promise.resolve(),
      execute: (r) => Promise.resolve({ record: { uuid: 'uuid-1', name: r.keyName, userGroups: r.userGroups, requesterId: r.requesterId, approverId: 'U0ADMIN', requestId: r.id, createdAt: '', updatedAt: '' } }),
      recover: () => Promise.resolve({ kind: 'unknown' }),
    };
    const execution = new Execution({
      store,
      registry: new KeyRegistry(real.redis),
      harness,
      revealTtlMs: 60_000,
      outbox: { soon: (id: string) => told.push(id) } as unknown as Outbox,
      notifier: { requestChanged: () => Promise.resolve() } as unknown as Notifier,
      logger: createLogger({ level: 'error', secrets: [], write: () => undefined }),
      now: () => new Date(),
      retryDelayMs: () => 5,
    });
    const final = await execution.execute(decided.request);
    expect(store.lost).toBe(1);
    expect(final).toMatchObject({ state: 'done', keyUuid: 'uuid-1' });
    // What the outcome owes (the message update, the DM) is delivered: the outbox was called for it.
    expect(told).toEqual(['req-lost']);
    expect(await real.redis.hget('apikey:req:req-lost', 'state')).toBe('done');
  });
  it('a submission whose request landed but whose reply was lost is filed, not refused', async () => {
    class LostCreateStore extends RequestStore {
      override async create(request: ApiKeyRequest): ReturnType<RequestStore['create']> {
        await super.create(request);
        throw new Error('Command timed out');
      }
    }
    const store = new LostCreateStore(real.redis, 'audit', false);
    const told: string[] = [];
    const groups = { byId: () => Promise.resolve(new Map([[groupId(1), 'admins']])) } as unknown as HarnessDirectory;
    const submissions = new SubmissionService({ store, registry: new KeyRegistry(real.redis), groups, outbox: { soon: (id: string) => told.push(id) } as unknown as Outbox, newId: () => 'req-lost-create' });
    const outcome = await submissions.create('U0DEV', { name: 'lost-create', userGroupIds: [groupId(1)], reason: 'a reason long enough' });
    expect(outcome).toMatchObject({ ok: true, request: { id: 'req-lost-create', keyName: 'lost-create' } });
    expect(told).toEqual(['req-lost-create']);

    // One that did not land still fails as it did.
    class FailingStore extends RequestStore {
      override create(): ReturnType<RequestStore['create']> {
        return Promise.reject(new Error('Command timed out'));
      }
    }
    const failing = new SubmissionService({ store: new FailingStore(real.redis, 'audit', false), registry: new KeyRegistry(real.redis), groups, outbox: { soon: () => undefined } as unknown as Outbox, newId: () => 'req-never' });
    await expect(failing.create('U0DEV', { name: 'never-stored', userGroupIds: [groupId(1)], reason: 'a reason long enough' })).rejects.toThrow('Command timed out');
  });
});
