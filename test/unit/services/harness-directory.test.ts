import { spawn } from 'node:child_process';
import path from 'node:path';
import { useRealRedis } from '../../helpers/real-redis';
import { createLogger } from '../../../src/logger';
import { HarnessDirectory, type DirectoryEntry } from '../../../src/services/harness-directory';
import { redisKeys } from '../../../src/store/keys';

/** A hand-written Harness list that counts its calls. */
function harnessWith(groups: () => DirectoryEntry[]) {
  const calls = { list: 0 };
  const api = () => {
    calls.list++;
    return Promise.resolve(groups());
  };
  return { api, calls };
}

describe('HarnessDirectory (shared cache in Redis)', () => {
  const real = useRealRedis();
  const logger = createLogger({ level: 'error', secrets: [], write: () => undefined });

  it('loads once, then answers searches from the cache without calling Harness', async () => {
    const { api, calls } = harnessWith(() => [
      { id: 'b'.repeat(22), name: 'Beta Team' },
      { id: 'a'.repeat(22), name: 'alpha' },
      { id: 'c'.repeat(22), name: 'team-alpha' },
    ]);
    const dir = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    expect((await dir.list()).map((g) => g.name)).toEqual(['alpha', 'Beta Team', 'team-alpha']);
    expect((await dir.search('ALPHA')).map((g) => g.name)).toEqual(['alpha', 'team-alpha']);
    expect((await dir.search('beta')).map((g) => g.name)).toEqual(['Beta Team']);
    expect(calls.list).toBe(1);
  });

  it('another replica sees a refreshed list once its short memo expires', async () => {
    let clock = 1_000_000;
    let names = ['one'];
    const { api } = harnessWith(() => names.map((n, i) => ({ id: String(i).padStart(22, 'x'), name: n })));
    await real.redis.flushall();
    const a = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger }, () => clock);
    const b = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger }, () => clock);
    expect((await a.list()).map((g) => g.name)).toEqual(['one']);
    expect((await b.list()).map((g) => g.name)).toEqual(['one']);
    names = ['one', 'two'];
    clock += 1000;
    await a.refresh(true);
    expect((await b.list()).map((g) => g.name)).toEqual(['one']); // b's memo is still fresh
    clock += 2500;
    expect((await b.list()).map((g) => g.name)).toEqual(['one', 'two']);
  });

  it('serves a stale list at once and refreshes it in the background', async () => {
    let clock = 5_000_000;
    let names = ['old'];
    const { api, calls } = harnessWith(() => names.map((n) => ({ id: n.padStart(22, 'y'), name: n })));
    await real.redis.flushall();
    const dir = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 10, logger }, () => clock);
    await dir.list();
    names = ['new'];
    clock += 15_000; // past the 10 s TTL
    await real.redis.del('apikey:usergroups:refresh'); // the per-cluster refresh lock (60 s) has expired
    expect((await dir.list()).map((g) => g.name)).toEqual(['old']);
    await new Promise((r) => setTimeout(r, 50));
    clock += 2500;
    expect((await dir.list()).map((g) => g.name)).toEqual(['new']);
    expect(calls.list).toBe(2);
  });

  it('waits for another replica\'s refresh instead of answering with an empty list', async () => {
    await real.redis.flushall();
    const { api: neverCalled, calls } = harnessWith(() => []);
    const waiting = new HarnessDirectory(real.redis, neverCalled, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    // Another replica holds the refresh lock and lands its list 300 ms later.
    await real.redis.set('apikey:usergroups:refresh', 'other-replica', 'PX', 60_000);
    const other = new HarnessDirectory(real.redis, () => Promise.resolve([{ id: 'g'.repeat(22), name: 'platform' }]), { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    setTimeout(() => void other.refresh(true), 300);
    expect((await waiting.list(2000)).map((g) => g.name)).toEqual(['platform']);
    expect(calls.list).toBe(0);
  });

  it('says the list cannot be loaded rather than searching an empty one', async () => {
    await real.redis.flushall();
    const failing = new HarnessDirectory(real.redis, () => Promise.reject(new Error('401')), { what: 'service accounts', cacheKey: 'serviceaccounts', ttlSeconds: 300, logger });
    await expect(failing.search('x')).rejects.toMatchObject({ code: 'GROUPS_UNAVAILABLE', message: expect.stringMatching(/service accounts could not be loaded/) });
  });

  it('a replica stopped in the middle of a refresh releases its lock, so another one refreshes at once', async () => {
    await real.redis.flushall();
    let answer: (groups: DirectoryEntry[]) => void = () => undefined;
    const stuck = new HarnessDirectory(real.redis, () => new Promise<DirectoryEntry[]>((resolve) => (answer = resolve)), { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    const { api, calls } = harnessWith(() => [{ id: 'g'.repeat(22), name: 'gamma' }]);
    const other = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    void stuck.refresh();
    await new Promise((r) => setTimeout(r, 50));
    // While the first replica holds the lock, the other one waits for its list, and gets none.
    expect(await other.list(300)).toEqual([]);
    expect(calls.list).toBe(0);
    await stuck.stop();
    expect((await other.list()).map((g) => g.name)).toEqual(['gamma']);
    expect(calls.list).toBe(1);
    answer([]);
  });

  it('a replica killed in the middle of a refresh holds the others up for its 15 s lease at most, not a minute', async () => {
    await real.redis.flushall();
    const lockKey = redisKeys.directory('usergroups').lock;
    // The compiled directory in its own process, refreshing from a Harness that never answers.
    const compiled = path.join(__dirname, '..', '..', '..', 'dist', 'services', 'harness-directory.js');
    const script = `
      const Redis = require('ioredis');
      const { HarnessDirectory } = require(${JSON.stringify(compiled)});
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const dir = new HarnessDirectory(new Redis(process.argv[1]), () => new Promise(() => undefined), { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger: quiet });
      void dir.refresh();`;
    const child = spawn(process.execPath, ['-e', script, real.server.url], { cwd: path.join(__dirname, '..', '..', '..'), stdio: 'ignore' });
    try {
      for (let i = 0; i < 200 && !(await real.redis.exists(lockKey)); i++) await new Promise((r) => setTimeout(r, 25));
      expect(await real.redis.exists(lockKey)).toBe(1);
      // It renews its lease while the refresh runs (every 5 s), so a slow Harness keeps the lock.
      await new Promise((r) => setTimeout(r, 5500));
      expect(await real.redis.pttl(lockKey)).toBeGreaterThan(10_500);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const left = await real.redis.pttl(lockKey);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(15_000);
    // Another replica with nothing cached waits for the lease to run out, then refreshes itself.
    const { api, calls } = harnessWith(() => [{ id: 'e'.repeat(22), name: 'epsilon' }]);
    const other = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    expect(await other.list(300)).toEqual([]);
    await new Promise((r) => setTimeout(r, left + 50));
    expect((await other.list()).map((g) => g.name)).toEqual(['epsilon']);
    expect(calls.list).toBe(1);
  }, 40_000);

  it('keeps the lock of a refresh that finished (it spaces refreshes a minute apart), and never releases another process\'s lock', async () => {
    await real.redis.flushall();
    const { api } = harnessWith(() => [{ id: 'd'.repeat(22), name: 'delta' }]);
    const dir = new HarnessDirectory(real.redis, api, { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    await dir.list();
    await dir.stop();
    const lockKey = redisKeys.directory('usergroups').lock;
    expect(await real.redis.pttl(lockKey)).toBeGreaterThan(50_000);
    await real.redis.set(lockKey, 'someone-else', 'PX', 60_000);
    let answer: (groups: DirectoryEntry[]) => void = () => undefined;
    const late = new HarnessDirectory(real.redis, () => new Promise<DirectoryEntry[]>((resolve) => (answer = resolve)), { what: 'user groups', cacheKey: 'usergroups', ttlSeconds: 300, logger });
    const pending = late.refresh(true);
    await late.stop();
    expect(await real.redis.get(lockKey)).toBe('someone-else');
    answer([]);
    await pending;
  });
});
