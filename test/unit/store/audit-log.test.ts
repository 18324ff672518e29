import { useRealRedis } from '../../helpers/real-redis';
import type { AuditFields } from '../../../src/domain/audit';
import { AuditLog, auditIndexKeys, auditPairs } from '../../../src/store/audit-log';

const STREAM = 'pages';
/** What Lua's JSON encoder must carry through unchanged. */
const ODD = 'line\n"quoted" \\ back/slash\ttab é ключ 🔑 \u0001';

const fields = (i: number, keyName: string, actorId: string): AuditFields => ({
  event: 'refused',
  requestId: `req-${i}`,
  operation: 'create',
  actorId,
  requesterId: actorId,
  keyName,
  keyUuid: '',
  userGroupIds: '',
  reason: `n${i}`,
  at: new Date(0).toISOString(),
});

describe('AuditLog.eventsOf on a real Redis (the AUDIT_PAGE script)', () => {
  const real = useRealRedis();
  let audit: AuditLog;
  /** Every id written, oldest first. */
  const written: string[] = [];

  /** Writes an entry with an explicit stream id and files it as the bot does (score = its millisecond). */
  async function put(id: string, f: AuditFields) {
    await real.redis.xadd(STREAM, id, ...auditPairs(f));
    for (const key of auditIndexKeys(STREAM, f)) await real.redis.zadd(key, Number(id.split('-')[0]), id);
    written.push(id);
  }

  beforeAll(async () => {
    audit = new AuditLog(real.redis, STREAM, false);
    // 70 entries inside ONE millisecond (more than a page plus any fixed slack), then 25 spread
    // out; key "shared" gets all of them, person U0B every third one.
    for (let i = 0; i < 70; i++) await put(`5000-${i}`, fields(i, 'shared', i % 3 === 0 ? 'U0B' : 'U0A'));
    for (let i = 70; i < 95; i++) await put(`${6000 + i}-0`, fields(i, 'shared', i % 3 === 0 ? 'U0B' : 'U0A'));
    await put('9000-0', { ...fields(95, 'shared', 'U0A'), reason: ODD });
  });

  async function walk(target: Parameters<AuditLog['eventsOf']>[0], limit: number, sinceMs?: number) {
    const ids: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await audit.eventsOf(target, { limit, before, sinceMs });
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      ids.push(...page.entries.map((e) => e.id));
      if (!page.next) return ids;
      expect(page.next).toBe(page.entries[page.entries.length - 1]!.id);
      before = page.next;
    }
    throw new Error('paging did not end');
  }

  it('pages newest first through every entry exactly once, however many share the cursor’s millisecond', async () => {
    expect(await walk({ kind: 'key', key: 'shared' }, 20)).toEqual([...written].reverse());
    expect(await walk({ kind: 'key', key: 'shared' }, 7)).toEqual([...written].reverse());
  });

  it('merges indexes and reads only what they file: a person’s entries, a request’s', async () => {
    const mine = written.filter((_, i) => i % 3 === 0).reverse();
    expect(await walk({ kind: 'user', userId: 'U0B' }, 20)).toEqual(mine);
    const [one] = (await audit.eventsOf({ kind: 'request', requestId: 'req-71' }, { limit: 20 })).entries;
    expect(one).toMatchObject({ id: `${6071}-0`, requestId: 'req-71', reason: 'n71', keyName: 'shared' });
    const [odd] = (await audit.eventsOf({ kind: 'request', requestId: 'req-95' }, { limit: 20 })).entries;
    expect(odd?.reason).toBe(ODD);
  });

  it('stops at sinceMs, and ends with no cursor when nothing older is left', async () => {
    expect(await walk({ kind: 'key', key: 'shared' }, 20, 6080)).toEqual(written.filter((id) => Number(id.split('-')[0]) >= 6080).reverse());
    const last = await audit.eventsOf({ kind: 'key', key: 'shared' }, { limit: 20, before: '5000-20' });
    expect(last.entries.map((e) => e.id)).toEqual(written.slice(0, 20).reverse());
    expect(last.next).toBeUndefined();
    expect(await audit.eventsOf({ kind: 'key', key: 'nothing-here' }, { limit: 20 })).toEqual({ entries: [], next: undefined });
  });
});
