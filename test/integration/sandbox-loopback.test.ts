import dc from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { isLoopbackUrl } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startRedis, type RedisServer } from '../../src/simulators/redis-server';
import { nonLoopbackUrls, type Generation } from '../../src/sandbox/mode';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start';
import { PageClient } from '../browser/sandbox-environment';
import { ADMIN1, approveToken, command, DEV, requestToken, revealToken } from '../helpers/sandbox-flows';

/**
 * The sandbox never reaches Slack or Harness: every URL it gives the bot is on this machine, the
 * bot and the page listen on 127.0.0.1 only, and every TCP connection the process opens during a
 * whole NextGen flow (create, approve, reveal, audit) goes to a loopback address. It also never
 * shares a database with a real bot's data or with the other generation's sandbox.
 */
const attempts: string[] = [];
const onSocket = (message: unknown) => {
  const { socket } = message as { socket: net.Socket };
  socket.on('connectionAttempt', (ip: string, port: number) => attempts.push(`${ip}:${port}`));
  socket.on('lookup', (_err: Error | null, address: string, _family: unknown, host: string) => attempts.push(`${host}=${address}`));
};
const isLoopbackAddress = (a: string) => /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost=127\.0\.0\.1|localhost=::1)(:\d+)?$/.test(a);
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

describe('the sandbox stays on this machine', () => {
  let redis: RedisServer;
  let dir: string;
  const logs: string[] = [];
  const start = (generation: Generation, redisUrl: string, dataDir = path.join(dir, generation)) =>
    startSandbox({}, { kind: 'sandbox', generation, port: 0, redisUrl }, {
      dataDir,
      print: (t) => logs.push(t),
      warn: (t) => logs.push(`WARN ${t}`),
      logger: createLogger({ level: 'warn', secrets: [], write: (l) => logs.push(l) }),
    });

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(path.join(tmpdir(), 'apikey-sandbox-'));
    dc.subscribe('net.client.socket', onSocket);
  });
  afterAll(async () => {
    dc.unsubscribe('net.client.socket', onSocket);
    await redis?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('NextGen: loopback URLs only, listens on 127.0.0.1 only, connects to loopback only through a whole flow', async () => {
    attempts.length = 0;
    const sandbox: RunningSandbox = await start('nextgen', redis.url);
    try {
      expect(nonLoopbackUrls(sandbox.botEnv)).toEqual([]);
      for (const name of ['SLACK_API_URL', 'HARNESS_API_URL', 'REDIS_URL']) expect(isLoopbackUrl(sandbox.botEnv[name])).toBe(true);
      expect([sandbox.config.slack.apiUrl, sandbox.config.harness.apiUrl, sandbox.config.redisUrl].every(isLoopbackUrl)).toBe(true);
      expect(sandbox.config.slack.botToken).toMatch(/^xoxb-sandbox-/);
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(sandbox.botUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      if (outsideAddress) {
        const probes = [sandbox.botUrl, sandbox.url].map((u) => `${outsideAddress}:${new URL(u).port}`);
        expect(await refused(outsideAddress, Number(new URL(sandbox.botUrl).port))).toBe(true);
        expect(await refused(outsideAddress, Number(new URL(sandbox.url).port))).toBe(true);
        attempts.splice(0, Infinity, ...attempts.filter((a) => !probes.includes(a))); // the test's own probes
      }

      const base = sandbox.url.replace(/\/$/, '');
      const dev = new PageClient(base, DEV);
      await requestToken(dev, 'loopback check');
      const result = await approveToken(new PageClient(base, ADMIN1), dev, 'loopback check');
      expect(await revealToken(dev, result)).toMatch(/^sat\./);
      await command(new PageClient(base, ADMIN1), '/apikey audit loopback check', 'Audit trail');
      expect((await dev.state()).problems).toEqual([]);
    } finally {
      await sandbox.stop();
    }
    // It did connect: the bot to the simulated Slack, Harness and Redis, the simulated Slack to the bot.
    const ports = new Set(attempts.map((a) => a.split(':').at(-1)));
    for (const url of [sandbox.botEnv.SLACK_API_URL, sandbox.botEnv.HARNESS_API_URL, sandbox.botEnv.REDIS_URL, sandbox.botUrl]) expect(ports).toContain(new URL(url!).port);
    expect(attempts.filter((a) => !isLoopbackAddress(a))).toEqual([]);
    expect(logs.filter((l) => l.startsWith('WARN') || l.startsWith('{'))).toEqual([]);
  }, 60_000);

  it('FirstGen: loopback URLs only', async () => {
    attempts.length = 0;
    const sandbox = await start('firstgen', `${redis.url}/1`);
    try {
      expect(nonLoopbackUrls(sandbox.botEnv)).toEqual([]);
      expect(sandbox.config.harness).toMatchObject({ generation: 'firstgen' });
      expect(isLoopbackUrl(sandbox.config.harness.apiUrl)).toBe(true);
      await command(new PageClient(sandbox.url.replace(/\/$/, ''), DEV), '/apikey help', '/apikey');
    } finally {
      await sandbox.stop();
    }
    expect(attempts.filter((a) => !isLoopbackAddress(a))).toEqual([]);
  }, 30_000);

  it("never mixes with a real bot's data, the other generation's sandbox, or data sealed with lost keys", async () => {
    const db = new Redis(`${redis.url}/3`);
    try {
      await db.xadd('apikey:audit', '*', 'event', 'requested');
      await expect(start('nextgen', `${redis.url}/3`)).rejects.toThrow(/already holds an apikey bot's data that the sandbox did not write/);
    } finally {
      db.disconnect();
    }
    // Database 0 holds the NextGen sandbox of the first test.
    await expect(start('firstgen', redis.url, path.join(dir, 'other'))).rejects.toThrow(/holds the data of a sandbox simulating NextGen/);
    // ...sealed with the keys of that sandbox's directory: new keys could not read it.
    await expect(start('nextgen', redis.url, path.join(dir, 'other'))).rejects.toThrow(/sealed with keys that are no longer in \.sandbox\/keys\.json/);
  }, 30_000);
});
