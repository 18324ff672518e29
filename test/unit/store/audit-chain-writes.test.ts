import { useRealRedis } from '../../helpers/real-redis';
import { pendingRequest } from '../../helpers/requests';
import Redis from 'ioredis';
import { standaloneAuditFields } from '../../../src/domain/audit';
import { AuditChain, chainKeys } from '../../../src/store/audit-chain';
import { script } from '../../../src/store/redis';
import { AuditLog, auditPairs } from '../../../src/store/audit-log';
import { AUDIT_ONLY, CREATE_REQUEST, TRANSITION } from '../../../src/store/lua';
import { RequestStore } from '../../../src/store/request-store';
import { verifyTrail } from '../../../src/store/audit-verifier';

const KEY = 'an-audit-hmac-key-of-at-least-32-chars';
const request = (id: string) => pendingRequest(id, { keyName: `key-${id}` });

describe('audit-writing scripts and the chain head', () => {
  const real = useRealRedis();

  it('answer CONFLICT and write nothing at all when the head moved since the caller hashed', async () => {
    await real.redis.set(chainKeys.head('s'), 'moved');
    const entry = auditPairs(standaloneAuditFields('refused', 'audit', 'U1', new Date(), 'x'));
    const chain = { expect: 'stale', hash: 'h' };
    const before = await real.redis.dbsize();
    const createKeys = ['apikey:req:r1', 'open', 'pn', 'rn', 'pk', 'by', 's', 'ob', 'obi', chainKeys.head('s'), 's:idx:user:U1'];
    const create = { id: 'r1', reserveName: 'n', holdKey: 'u', nowMs: 1, fields: ['id', 'r1', 'state', 'pending'], audit: entry, chain, outbox: ['{}'], mirror: true };
    expect(await real.redis.eval(CREATE_REQUEST, createKeys.length, ...createKeys, JSON.stringify(create))).toEqual(['CONFLICT', 'moved']);
    await real.redis.hset('apikey:req:r2', 'id', 'r2', 'state', 'pending', 'requesterId', 'U0DEV');
    const transitionKeys = ['apikey:req:r2', 'open', 'pn', 'reg', 'rn', 'pk', 's', 'ob', 'obi', chainKeys.head('s')];
    const transition = { from: ['pending'], to: 'approved', actorId: 'U1', forbidSelf: true, terminal: false, patch: [], audit: entry, chain, registry: false, outbox: ['{}'], mirror: true, nowMs: 1 };
    expect(await real.redis.eval(TRANSITION, transitionKeys.length, ...transitionKeys, JSON.stringify(transition))).toEqual(['CONFLICT', 'moved']);
    const onlyKeys = ['s', 'ob', 'obi', chainKeys.head('s'), 's:idx:user:U1'];
    expect(await real.redis.eval(AUDIT_ONLY, onlyKeys.length, ...onlyKeys, JSON.stringify({ audit: entry, chain, subject: '-', mirror: true, nowMs: 1 }))).toEqual(['CONFLICT', 'moved']);
    expect(await real.redis.dbsize()).toBe(before + 1);
    expect(await real.redis.hgetall('apikey:req:r2')).toEqual({ id: 'r2', state: 'pending', requesterId: 'U0DEV' });
    expect(await real.redis.get(chainKeys.head('s'))).toBe('moved');
    // A transition without an audit entry does not need the chain.
    const quiet = { ...transition, audit: false, chain: false };
    expect(await real.redis.eval(TRANSITION, transitionKeys.length, ...transitionKeys, JSON.stringify(quiet))).toEqual(['OK', '1', '']);
  });

  it('two store instances on two connections (two replicas), keyed, hammering one stream: one unbroken chain', async () => {
    const other = new Redis(real.server.url);
    try {
      const replicas = [real.redis, other].map((r) => ({
        store: new RequestStore(r, 'hammer', false, () => new Date(), { hmacKey: KEY }),
        audit: new AuditLog(r, 'hammer', false, { hmacKey: KEY }),
      }));
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const { store, audit } = replicas[i % 2]!;
          const r = request(`req-h${i}`);
          expect(await store.create(r)).toMatchObject({ ok: true, audit: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string } });
          await audit.append(standaloneAuditFields('refused', 'audit', `U${i}`, new Date(), 'x'));
          const moved = await replicas[(i + 1) % 2]!.store.transition(r, 'approved', { actorId: 'U0ADMIN', audit: { event: 'approved' } });
          expect(moved).toMatchObject({ ok: true, audit: { event: 'approved', prevHash: expect.any(String) as string } });
        }),
      );
      const report = await verifyTrail(real.redis, 'hammer', { hmacKey: KEY, onVerdict: (v) => expect(v).toBeUndefined() });
      expect(report).toMatchObject({ chained: 180, valid: 180, problems: 0 });
    } finally {
      other.disconnect();
    }
  });
  it('pipelines one process\'s appends: all are sent before the first lands, and one that writes nothing does not break those after it', async () => {
    const store = new RequestStore(real.redis, 'piped', false, () => new Date(), { hmacKey: KEY });
    const audit = new AuditLog(real.redis, 'piped', false, { hmacKey: KEY });
    await store.create({ ...request('req-p0'), keyName: 'taken' });

    const events: string[] = [];
    const only = script(real.redis, 'apikeyAuditOnly', AUDIT_ONLY);
    const chain = AuditChain.for(real.redis, 'piped', KEY);
    const appends = Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        chain.append(() => standaloneAuditFields('refused', 'piped', `U${i}`, new Date(), 'x'), async (chained, args) => {
          events.push('sent');
          const keys = ['piped', 'ob', 'obi', chainKeys.head('piped'), `piped:idx:user:U${i}`];
          const result = (await only(keys, { audit: auditPairs(chained), chain: args, subject: '-', mirror: false, nowMs: Date.now() })) as string[];
          events.push('landed');
          return result;
        }),
      ),
    );
    // All five are on the wire before any reply: each chained on the one before it, none retried.
    await Promise.resolve();
    expect(real.redis.commandQueue.length).toBe(5);
    await appends;
    expect(events).toEqual([...Array<string>(5).fill('sent'), ...Array<string>(5).fill('landed')]);

    // The second create is refused (its name is taken) and writes nothing; those sent after it,
    // hashed on top of it, find the head elsewhere and are hashed again.
    const results = await Promise.all([
      store.create(request('req-p1')),
      store.create({ ...request('req-p2'), keyName: 'taken' }),
      store.create(request('req-p3')),
      audit.append(standaloneAuditFields('refused', 'piped', 'U9', new Date(), 'x')),
      store.create(request('req-p4')),
    ]);
    expect(results.map((r) => (typeof r === 'string' ? 'appended' : r.ok ? 'ok' : r.reason))).toEqual(['ok', 'NAME_TAKEN', 'ok', 'appended', 'ok']);
    const report = await verifyTrail(real.redis, 'piped', { hmacKey: KEY, onVerdict: (v) => expect(v).toBeUndefined() });
    expect(report).toMatchObject({ chained: 10, valid: 10, problems: 0 });
  });
  it('stamps a decision with the time of the attempt that lands: one that lost a race to another replica is stamped after it', async () => {
    const other = new Redis(real.server.url);
    try {
      let tick = 0;
      const clock = () => new Date(Date.UTC(2026, 0, 1) + ++tick * 1000);
      const [mine, theirs] = [real.redis, other].map((r) => new RequestStore(r, 'race', false, clock, { hmacKey: KEY }));
      const [x, y] = [request('req-x'), request('req-y')];
      await mine!.create(x); // this replica now knows the head...
      await theirs!.create(y); // ...which the other one moves
      // Hold this replica's connection, so that its decision, stamped first, reaches Redis last.
      const held = real.redis.blpop('race:nothing', 0.3);
      const slow = mine!.transition(x, 'approved', { actorId: 'U0ADMIN', decision: true, patch: { approverId: 'U0ADMIN' }, audit: { event: 'approved' } });
      const fast = await theirs!.transition(y, 'approved', { actorId: 'U0ADMIN', decision: true, patch: { approverId: 'U0ADMIN' }, audit: { event: 'approved' } });
      await held;
      const late = await slow;
      if (!late.ok || !fast.ok) throw new Error('both decisions should land');
      expect(Date.parse(late.request.decidedAt!)).toBeGreaterThan(Date.parse(fast.request.decidedAt!));
      // What Redis holds agrees: the request's decidedAt and updatedAt, and the entry's time.
      const stored = await real.redis.hmget('apikey:req:req-x', 'decidedAt', 'updatedAt');
      expect(stored).toEqual([late.request.decidedAt, late.request.decidedAt]);
      expect(late.audit?.at).toBe(late.request.decidedAt);
      const entries = await real.redis.xrange('race', '-', '+');
      const times = entries.map(([, flat]) => flat[flat.indexOf('at') + 1]!);
      expect(times).toEqual([...times].sort());
      const report = await verifyTrail(real.redis, 'race', { hmacKey: KEY, onVerdict: (v) => expect(v).toBeUndefined() });
      expect(report).toMatchObject({ chained: 4, valid: 4, problems: 0 });
    } finally {
      other.disconnect();
    }
  });
});
