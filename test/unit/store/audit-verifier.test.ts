import { useRealRedis } from '../../helpers/real-redis';
import Redis from 'ioredis';
import { standaloneAuditFields, type AuditFields } from '../../../src/domain/audit';
import { AuditCheckpoints } from '../../../src/services/audit-checkpoints';
import type { Notifier } from '../../../src/services/notifier';
import { GENESIS, chainKeys, hashEntry } from '../../../src/store/audit-chain';
import { AuditLog, auditPairs } from '../../../src/store/audit-log';
import { VerifyUsageError, verifyTrail, type Verdict } from '../../../src/store/audit-verifier';

const KEY = 'an-audit-hmac-key-of-at-least-32-chars';
type Row = [string, string[]];

const fieldsOf = (flat: string[]): Record<string, string> => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : [])));
const event = (n: number): AuditFields => standaloneAuditFields('refused', 'audit', `U${n}`, new Date(Date.UTC(2026, 0, 1, 0, 0, n)), `attempt ${n}`);

describe('audit trail verification on a real Redis', () => {
  const real = useRealRedis();
  let stream = '';
  let counter = 0;
  beforeEach(() => {
    stream = `audit${++counter}`;
  });

  /** Writes `n` entries the way the bot does, through AuditLog's Lua script. */
  async function write(n: number, key?: string, from = 0): Promise<string[]> {
    const log = new AuditLog(real.redis, stream, false, { hmacKey: key });
    const ids: string[] = [];
    for (let i = from; i < from + n; i++) ids.push(await log.append(event(i)));
    return ids;
  }
  const rows = async (): Promise<Row[]> => real.redis.xrange(stream, '-', '+');
  /** What someone with Redis access can do: write the stream again, entry by entry, with the ids they choose. */
  async function rebuild(entries: Row[]): Promise<void> {
    await real.redis.del(stream);
    for (const [id, flat] of entries) await real.redis.xadd(stream, id, ...flat);
  }
  /** Hashes `content` as the next link after `prevHash`, as a forger would. */
  function forge(content: Record<string, string>, prevHash: string, key?: string): string[] {
    const f = { ...content } as AuditFields;
    delete f.prevHash;
    delete f.hash;
    return auditPairs({ ...f, prevHash, hash: hashEntry(f, prevHash, key) });
  }
  async function verify(key?: string) {
    const verdicts: Verdict[] = [];
    const report = await verifyTrail(real.redis, stream, { hmacKey: key, onVerdict: (v) => verdicts.push(v), pageSize: 3 });
    return { report, verdicts, kinds: verdicts.map((v) => v.kind) };
  }
  const checkpoints = (key?: string) =>
    new AuditCheckpoints({ redis: real.redis, streamKey: stream, hmacKey: key, intervalMs: 1000, notifier: { checkpointRecorded: () => Promise.resolve('') } as unknown as Notifier, logger: { info: () => undefined, warn: () => undefined } as never, now: () => new Date() });

  it('passes an untouched trail, keyed or not, and names its head', async () => {
    const ids = await write(7);
    const { report, verdicts } = await verify();
    expect(verdicts).toEqual([]);
    expect(report).toMatchObject({ entries: 7, chained: 7, valid: 7, unchained: 0, problems: 0, head: { id: ids[6] } });
    expect(report.head!.hash).toBe(await real.redis.get(chainKeys.head(stream)));
    const first = fieldsOf((await rows())[0]![1]);
    expect(first.prevHash).toBe(GENESIS);

    stream = 'keyed-clean';
    await write(5, KEY);
    expect((await verify(KEY)).report).toMatchObject({ chained: 5, valid: 5, problems: 0, unkeyed: 0 });
  });

  it('reports an entry deleted from the middle as removed, by the id of the entry after the gap', async () => {
    const ids = await write(6);
    await real.redis.xdel(stream, ids[2]!);
    const { report, verdicts } = await verify();
    expect(verdicts).toEqual([{ kind: 'removed', id: ids[3], message: expect.stringContaining(`between ${ids[1]} and it`) as string }]);
    expect(report.first).toEqual({ removed: ids[3] });
  });

  it('reports an entry inserted with a correctly computed hash as inserted', async () => {
    await write(5);
    const all = await rows();
    const forged: Row = ['1-0', forge(fieldsOf(all[1]![1]), fieldsOf(all[1]![1]).hash!)];
    // The attacker rebuilds the stream with fresh ids so that the forged entry sits after entry 1.
    const rebuilt: Row[] = [all[0]!, all[1]!, forged, ...all.slice(2)].map(([, flat], i) => [`${1000 + i}-0`, flat]);
    await rebuild(rebuilt);
    const { report, kinds } = await verify();
    expect(kinds).toEqual(['inserted']);
    expect(report.first.inserted).toBe('1002-0');

    // Two forged entries, the second chained to the first: both are off the chain.
    const second: Row = ['1-1', forge(fieldsOf(all[3]![1]), fieldsOf(forged[1]).hash!)];
    await rebuild([all[0]!, all[1]!, forged, second, ...all.slice(2)].map(([, flat], i) => [`${2000 + i}-0`, flat]));
    const block = await verify();
    expect(block.verdicts.map((v) => `${v.kind} ${v.id}`).sort()).toEqual(['inserted 2002-0', 'inserted 2003-0']);
  });

  it('reports an entry changed in place as changed', async () => {
    await write(5);
    const all = await rows();
    const [id, flat] = all[2]!;
    await rebuild(all.map(([i, f]) => [i, i === id ? f.map((v) => (v === 'attempt 2' ? 'attempt 99' : v)) : f]));
    const { report, kinds } = await verify();
    expect(kinds).toEqual(['changed']);
    expect(report.first.changed).toBe(id);
    expect(flat).toContain('attempt 2');
  });

  it('when keyed, reports an entry changed and re-hashed without the key as changed, and nothing else', async () => {
    await write(5, KEY);
    const all = await rows();
    const [id, flat] = all[2]!;
    const content: Record<string, string> = { ...fieldsOf(flat), detail: 'nothing happened' };
    await rebuild(all.map(([i, f]) => [i, i === id ? forge(content, content.prevHash!) : f]));
    const { report, verdicts } = await verify(KEY);
    expect(verdicts).toEqual([{ kind: 'changed', id, message: expect.stringContaining('re-hashed without the key') as string }]);
    // "valid" also needs the link: the entry after the changed one names its old hash.
    expect(report.valid).toBe(3);
  });

  it('without a key, an entry changed and re-hashed breaks the link to the next one: removed (or re-hashed)', async () => {
    await write(5);
    const all = await rows();
    const [id, flat] = all[2]!;
    const content: Record<string, string> = { ...fieldsOf(flat), detail: 'nothing happened' };
    await rebuild(all.map(([i, f]) => [i, i === id ? forge(content, content.prevHash!) : f]));
    const { verdicts } = await verify();
    expect(verdicts).toEqual([{ kind: 'removed', id: all[3]![0], message: expect.stringContaining(`or ${id} was changed and re-hashed`) as string }]);
  });

  it('reports entries swapped, or one moved further, as reordered', async () => {
    await write(8);
    const all = await rows();
    const ids = all.map(([id]) => id);
    const swap = [all[0], all[2], all[1], ...all.slice(3)].map((r, i) => [ids[i], r![1]] as Row);
    await rebuild(swap);
    let result = await verify();
    expect(result.kinds).toEqual(['reordered']);
    expect(result.report.first.reordered).toBe(ids[1]);

    const moved = [all[0], all[2], all[3], all[4], all[1], ...all.slice(5)].map((r, i) => [ids[i], r![1]] as Row);
    await rebuild(moved);
    result = await verify();
    expect(result.kinds).toEqual(['reordered']);
  });

  it('catches the whole tail rewritten and re-hashed, head included, by the checkpoint taken before', async () => {
    await write(4);
    const taken = await checkpoints().record();
    expect(taken).toMatchObject({ length: 4 });
    expect(taken!.signature).toBeUndefined();
    await write(2, undefined, 4);
    expect((await verify()).report).toMatchObject({ problems: 0, checkpoints: 1, checkpointsValid: 1 });

    const all = await rows();
    let prev = fieldsOf(all[0]![1]).hash!;
    const rewritten: Row[] = [all[0]!];
    for (const [id, flat] of all.slice(1)) {
      const pairs = forge({ ...fieldsOf(flat), reason: 'rewritten' }, prev);
      prev = fieldsOf(pairs).hash!;
      rewritten.push([id, pairs]);
    }
    await rebuild(rewritten);
    await real.redis.set(chainKeys.head(stream), prev);
    const { report, verdicts } = await verify();
    // The chain itself is consistent again: only the checkpoint contradicts it.
    expect(report.valid).toBe(6);
    expect(verdicts).toEqual([{ kind: 'changed', id: taken!.lastId, message: expect.stringContaining('the trail up to it was rewritten') as string }]);
  });

  it('catches the newest entries removed (head reset to match) by the checkpoint, and a forged checkpoint by its signature', async () => {
    await write(5, KEY);
    const taken = (await checkpoints(KEY).record())!;
    expect(taken.signature).toMatch(/^[0-9a-f]{64}$/);
    const all = await rows();
    await real.redis.xdel(stream, all[3]![0], all[4]![0]);
    await real.redis.set(chainKeys.head(stream), fieldsOf(all[2]![1]).hash!);
    let result = await verify(KEY);
    expect(result.verdicts).toEqual([{ kind: 'removed', id: taken.lastId, message: expect.stringContaining('the trail ends before it') as string }]);

    await real.redis.lset(chainKeys.checkpoints(stream), 0, JSON.stringify({ ...taken, length: 3, lastId: all[2]![0], headHash: fieldsOf(all[2]![1]).hash }));
    result = await verify(KEY);
    expect(result.kinds).toEqual(['checkpoint']);
    await expect(verifyTrail(real.redis, stream, {})).rejects.toBeInstanceOf(VerifyUsageError);
  });

  it('reports entries from before the chain as unchained, not tampered; one without hash after it began as inserted', async () => {
    const legacy = [await real.redis.xadd(stream, '*', ...auditPairs(event(100))), await real.redis.xadd(stream, '*', ...auditPairs(event(101)))];
    await write(3);
    let result = await verify();
    expect(result.verdicts).toEqual([]);
    expect(result.report).toMatchObject({ entries: 5, unchained: 2, unchainedRange: legacy, chained: 3, valid: 3 });

    const late = await real.redis.xadd(stream, '*', ...auditPairs(event(102)));
    result = await verify();
    expect(result.verdicts).toEqual([{ kind: 'inserted', id: late, message: expect.stringContaining('has no hash') as string }]);
  });

  it('catches an entry appended outside the bot: by the head when unkeyed, by its hash when keyed', async () => {
    await write(3);
    const last = fieldsOf((await rows())[2]![1]);
    const forged = await real.redis.xadd(stream, '*', ...forge(event(50), last.hash!));
    expect((await verify()).verdicts).toEqual([{ kind: 'inserted', id: forged, message: expect.stringContaining('added outside the bot') as string }]);
    // Moving the head too makes such an append undetectable without a key, until a checkpoint: the README says so.
    await real.redis.set(chainKeys.head(stream), fieldsOf((await rows())[3]![1]).hash!);
    expect((await verify()).report.problems).toBe(0);

    stream = 'keyed-append';
    await write(3, KEY);
    const keyedLast = fieldsOf((await rows())[2]![1]);
    const pairs = forge(event(51), keyedLast.hash!);
    const id = await real.redis.xadd(stream, '*', ...pairs);
    await real.redis.set(chainKeys.head(stream), fieldsOf(pairs).hash!);
    expect((await verify(KEY)).verdicts).toEqual([{ kind: 'changed', id, message: expect.stringContaining('without the key') as string }]);
  });

  it('keeps judging correctly past its memory window (12,000 entries, paged)', async () => {
    const pipeline = real.redis.pipeline();
    let prev = GENESIS;
    const ids: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      const pairs = forge(event(i), prev);
      prev = fieldsOf(pairs).hash!;
      ids.push(`${5000 + i}-0`);
      pipeline.xadd(stream, ids[i]!, ...pairs);
    }
    pipeline.set(chainKeys.head(stream), prev);
    await pipeline.exec();
    await real.redis.xdel(stream, ids[100]!, ids[11_000]!);
    const verdicts: Verdict[] = [];
    const report = await verifyTrail(real.redis, stream, { onVerdict: (v) => verdicts.push(v) });
    expect(new Set(verdicts.map((v) => `${v.kind} ${v.id}`))).toEqual(new Set([`removed ${ids[101]}`, `removed ${ids[11_001]}`]));
    expect(verdicts).toHaveLength(2);
    expect(report).toMatchObject({ entries: 11_998, valid: 11_996 });
  });

  it('keeps one unbroken chain when two replicas (two connections) append at the same time', async () => {
    const other = new Redis(real.server.url);
    try {
      const a = new AuditLog(real.redis, stream, false);
      const b = new AuditLog(other, stream, false);
      await Promise.all(Array.from({ length: 150 }, (_, i) => [a.append(event(2 * i)), b.append(event(2 * i + 1))]).flat());
      const { report, verdicts } = await verify();
      expect(verdicts).toEqual([]);
      expect(report).toMatchObject({ chained: 300, valid: 300 });
      const all = (await rows()).map(([, flat]) => fieldsOf(flat));
      all.forEach((f, i) => expect(f.prevHash).toBe(i === 0 ? GENESIS : all[i - 1]!.hash));
    } finally {
      other.disconnect();
    }
  });
});
