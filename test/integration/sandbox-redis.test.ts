import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { isAlive } from '../../src/sandbox/data-dir';
import { childRedis } from '../../src/sandbox/redis';
import { servingPid, startRedis } from '../../src/simulators/redis-server';

/**
 * The sandbox's own redis-server (when no REDIS_URL is set and nothing answers on 6379): on
 * loopback, append-only under .sandbox/redis, stopped with the sandbox, its data kept across
 * restarts; one left running by a killed sandbox is found again instead of a second one being
 * started on the same files.
 */
const ROOT = path.join(__dirname, '..', '..');

describe("the sandbox's child redis-server", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'apikey-sandbox-redis-'));
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const stateOf = () => JSON.parse(readFileSync(path.join(dataDir, 'redis.json'), 'utf8')) as { pid: number; port: number };

  it('keeps its data append-only across a stop and a start, and stops with the sandbox', async () => {
    const first = await childRedis(dataDir, ROOT, 0);
    expect(first.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/0$/);
    const { pid } = stateOf();
    const db = new Redis(first.url);
    try {
      expect(await db.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await db.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
      expect(await db.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      await db.set('apikey:test', 'kept');
    } finally {
      db.disconnect();
    }
    await first.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'redis.json'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).toBe(true);

    const second = await childRedis(dataDir, ROOT, 0);
    const again = new Redis(second.url);
    try {
      expect(await again.get('apikey:test')).toBe('kept');
    } finally {
      again.disconnect();
      await second.stop();
    }
  }, 30_000);

  it('finds the redis-server a killed sandbox left running, and reuses it', async () => {
    const orphan = await childRedis(dataDir, ROOT, 0); // never stopped: as after a SIGKILL
    const left = stateOf();
    const adopted = await childRedis(dataDir, ROOT, 0);
    expect(stateOf()).toEqual(left);
    expect(adopted.url).toBe(orphan.url);
    await adopted.stop();
    expect(isAlive(left.pid)).toBe(false);
  }, 30_000);

  it('does not adopt a redis-server that answers on the recorded port but is not the recorded process', async () => {
    const [stranger, other] = [await startRedis(), await startRedis()];
    const otherPid = await servingPid(other.port);
    // The state file names a live redis-server (the other one) on a port that now serves another.
    writeFileSync(path.join(dataDir, 'redis.json'), JSON.stringify({ pid: otherPid, port: stranger.port }));
    const probe = new Redis(stranger.url);
    try {
      await probe.set('owner', 'stranger');
      const started = await childRedis(dataDir, ROOT, 0);
      expect(started.url).not.toContain(`:${stranger.port}/`);
      expect(stateOf().pid).not.toBe(otherPid);
      await started.stop();
      expect(await probe.get('owner')).toBe('stranger'); // left alone, and so is the other
      expect(isAlive(otherPid!)).toBe(true);
    } finally {
      probe.disconnect();
      await Promise.all([stranger.close(), other.close()]);
    }
  }, 30_000);
});
