import { useRealRedis } from '../../helpers/real-redis';
import { pendingRequest } from '../../helpers/requests';
import { AuditLog } from '../../../src/store/audit-log';
import { RequestStore } from '../../../src/store/request-store';
import { migrateKeys } from '../../../src/store/migrations';

const base = (id: string, name: string) => pendingRequest(id, { keyName: name });

describe('RequestStore on a real Redis', () => {
  const real = useRealRedis();
  let store: RequestStore;
  let audit: AuditLog;
  beforeAll(() => {
    store = new RequestStore(real.redis, 'audit', false);
    audit = new AuditLog(real.redis, 'audit', false);
  });

  it('round-trips a request through its hash, validated on read', async () => {
    const r = base('req-a', 'alpha');
    expect(await store.create(r)).toMatchObject({ ok: true });
    expect(await store.get('req-a')).toEqual(r);
    expect(await store.openIds()).toContain('req-a');
  });

  it('reserves names of open requests', async () => {
    expect(await store.create(base('req-b', 'alpha'))).toEqual({ ok: false, reason: 'NAME_TAKEN' });
    expect(await store.get('req-b')).toBeUndefined();
  });

  it('moves only along legal edges, and each move writes its audit entry in the same step', async () => {
    const r = (await store.get('req-a'))!;
    expect(await store.transition(r, 'executing', { actorId: 'U0ADMIN' })).toEqual({ ok: false, reason: 'STATE', state: 'pending', approverId: undefined });
    expect(await store.transition(r, 'approved', { actorId: 'U0DEV', forbidSelf: true, audit: { event: 'approved' } })).toEqual({ ok: false, reason: 'SELF' });
    const ok = await store.transition(r, 'approved', { actorId: 'U0ADMIN', forbidSelf: true, patch: { approverId: 'U0ADMIN' }, audit: { event: 'approved' } });
    expect(ok).toMatchObject({ ok: true, request: { state: 'approved', version: 1, approverId: 'U0ADMIN' } });
    const again = await store.transition(r, 'approved', { actorId: 'U0ADMIN2', forbidSelf: true, audit: { event: 'approved' } });
    expect(again).toEqual({ ok: false, reason: 'STATE', state: 'approved', approverId: 'U0ADMIN' });
    const entries = await audit.forRequest('req-a');
    expect(entries.map((e) => `${e.event}:${e.actorId}`)).toEqual(['requested:U0DEV', 'approved:U0ADMIN']);
  });

  it('frees the name and leaves the open set on a terminal state', async () => {
    const r = (await store.get('req-a'))!;
    await store.transition(r, 'executing', { actorId: 'U0ADMIN' });
    await store.transition(r, 'failed', { actorId: 'U0ADMIN', patch: { error: 'nope' }, audit: { event: 'failed', detail: 'nope' } });
    expect(await store.openIds()).not.toContain('req-a');
    expect(await store.create(base('req-c', 'alpha'))).toMatchObject({ ok: true });
  });

  it('survives a flushed script cache (as after a Redis restart or failover)', async () => {
    await real.redis.script('FLUSH');
    const r = (await store.get('req-c'))!;
    expect(await store.transition(r, 'denied', { actorId: 'U0ADMIN', audit: { event: 'denied' } })).toMatchObject({ ok: true });
  });

  it('refuses to read a corrupted request instead of guessing', async () => {
    await real.redis.hset('apikey:req:req-bad', 'id', 'req-bad', 'state', 'weird');
    await expect(store.get('req-bad')).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});

describe('keys of an earlier version', () => {
  const real = useRealRedis();

  it('moves the open set and the per-person sets out of the request prefix, once, merging with anything new', async () => {
    await real.redis.zadd('apikey:req:open', 1, 'req-a', 2, 'req-b');
    await real.redis.zadd('apikey:open-requests', 3, 'req-c');
    await real.redis.zadd('apikey:req:by-user:U0DEV', 1, 'req-a');
    expect(await migrateKeys(real.redis)).toBe(2);
    expect(await real.redis.zrange('apikey:open-requests', 0, -1)).toEqual(['req-a', 'req-b', 'req-c']);
    expect(await real.redis.zrange('apikey:requests-of:U0DEV', 0, -1)).toEqual(['req-a']);
    expect(await real.redis.keys('apikey:req:*')).toEqual([]);
    expect(await migrateKeys(real.redis)).toBe(0);
  });
});
