import type { ApiKeyRequest } from '../../../src/domain/request';
import type { HarnessBackend } from '../../../src/harness/backend';
import { createLogger } from '../../../src/logger';
import { Execution } from '../../../src/services/execution';
import type { Notifier } from '../../../src/services/notifier';
import type { Outbox } from '../../../src/services/outbox';
import { KeyRegistry } from '../../../src/store/key-registry';
import { RequestStore, type TransitionOptions } from '../../../src/store/request-store';
import { useRealRedis } from '../../helpers/real-redis';

const approved = (id: string): ApiKeyRequest => ({
  id,
  operation: 'create',
  state: 'pending',
  version: 0,
  requesterId: 'U0DEV',
  keyName: id,
  userGroups: [{ id: 'g1', name: 'admins' }],
  reason: 'why',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

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

describe('a lost Redis reply is not a failure', () => {
  const real = useRealRedis();

  it('recording an outcome whose reply was lost finds it landed, and the requester is told', async () => {
    const store = new LossyStore(real.redis, 'audit', false);
    const request = approved('req-lost');
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
});
