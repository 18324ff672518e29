import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, servingPid } from '../simulators/redis-server';
import type Redis from 'ioredis';
import { isAlive, SandboxError } from './data-dir';
import type { Generation } from './mode';

/**
 * The sandbox's Redis, first that applies: REDIS_URL (mode.ts checked it is on this machine); a
 * Redis answering on 127.0.0.1:6379 (its database 15, 14 for FirstGen, so that a bot run for real
 * against the same local Redis never sees the sandbox's requests); else a child redis-server with
 * its files in .sandbox/redis, append-only (appendfsync everysec), stopped with the sandbox
 * (database 0, 1 for FirstGen). A child left running by a sandbox that was killed is found again
 * through .sandbox/redis.json and reused. Each simulated generation keeps its own data.
 */
export interface SandboxRedis {
  url: string;
  /** For the banner: where the data lives. */
  where: string;
  /** For the banner: how to start afresh. */
  reset: string;
  stop(): Promise<void>;
}

const SHARED_DB: Record<Generation, number> = { nextgen: 15, firstgen: 14 };
const CHILD_DB: Record<Generation, number> = { nextgen: 0, firstgen: 1 };

/** Sends `commands` (inline protocol) and resolves with what came back within `timeoutMs`. */
function ask(port: number, commands: string, expect: string, timeoutMs = 700): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write(commands));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.startsWith(expect)) done(true);
      else if (answer.length >= expect.length || answer.includes('-')) done(false);
    });
    socket.on('error', () => done(false));
  });
}

const answersPing = (port: number) => ask(port, 'PING\r\n', '+PONG\r\n');

function redisBinary(root: string): string {
  const find = () => spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  let bin = find();
  const installer = path.join(root, 'scripts', 'ensure-redis.js');
  // Installs Debian's package when root with apt-get (as `npm test` does); otherwise says what is missing.
  if (!bin && existsSync(installer)) spawnSync(process.execPath, [installer], { stdio: ['ignore', 'inherit', 'inherit'] });
  bin = bin || find();
  if (!bin) {
    throw new SandboxError(
      [
        'The sandbox needs a Redis: none answers on 127.0.0.1:6379 and redis-server is not installed. Either',
        '  - install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm start again, or',
        '  - point the sandbox at a Redis on this machine: REDIS_URL=redis://127.0.0.1:<port> npm start',
      ].join('\n'),
    );
  }
  return bin;
}

/**
 * Waits until `child` itself serves `port` (another process may have taken the port since it was
 * chosen: then the child exits, and a PING would be answered by that other server). Returns false
 * when the port was taken, so that the caller tries another.
 */
async function waitUntilServing(port: number, child: ChildProcess, logFile: string): Promise<boolean> {
  const deadline = Date.now() + 15_000; // loading a large append-only file takes a while (PING answers -LOADING)
  while (!((await servingPid(port)) === child.pid && (await answersPing(port)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
      if (child.exitCode !== null && /already in use/i.test(log)) return false;
      throw new SandboxError(`redis-server did not start on 127.0.0.1:${port}; the end of ${logFile}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function stopProcess(pid: number, child?: ChildProcess): Promise<void> {
  if (!isAlive(pid)) return;
  const exited = child ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : undefined;
  process.kill(pid, 'SIGTERM'); // redis-server writes out the append-only file and exits
  const deadline = Date.now() + 10_000;
  while (child ? child.exitCode === null && child.signalCode === null : isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    const pause = new Promise((r) => setTimeout(r, 50));
    await (exited ? Promise.race([exited, pause]) : pause);
  }
}

/** Is `pid` the redis-server serving `port` (its INFO says so), and does it answer there? */
async function ours(pid: number, port: number): Promise<boolean> {
  if (!isAlive(pid)) return false;
  // The server on that port must be that process (a redis-server, then): the port may since have
  // gone to another one, and the pid to another program.
  return (await servingPid(port)) === pid && answersPing(port);
}

export async function childRedis(dataDir: string, root: string, db: number): Promise<SandboxRedis> {
  const dir = path.join(dataDir, 'redis');
  const stateFile = path.join(dataDir, 'redis.json');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const where = `a redis-server started for the sandbox, its files in ${path.relative(process.cwd(), dir) || dir} (append-only, fsync every second)`;
  const reset = `stop the sandbox, then rm -rf ${path.relative(process.cwd(), dataDir) || dataDir}`;

  let previous: { pid?: number; port?: number } = {};
  try {
    previous = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof previous;
  } catch {
    previous = {};
  }
  let pid: number;
  let port: number;
  let child: ChildProcess | undefined;
  if (previous.pid && previous.port && (await ours(previous.pid, previous.port))) {
    [pid, port] = [previous.pid, previous.port];
  } else {
    const bin = redisBinary(root);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', 'redis.log'];
      // Its own process group: Ctrl-C in the terminal reaches only the bot, which stops Redis last.
      child = spawn(bin, args, { cwd: dir, stdio: 'ignore', detached: true });
      child.on('error', () => undefined); // reported by waitUntilServing
      if (await waitUntilServing(port, child, path.join(dir, 'redis.log'))) break;
      if (attempt === 3) throw new SandboxError(`redis-server found each port it was given taken (the last: 127.0.0.1:${port}); try again`);
    }
    pid = child.pid!;
    writeFileSync(stateFile, JSON.stringify({ pid, port }), { mode: 0o600 });
  }
  // If the bot dies without stopping (an uncaught error), Redis still goes with it.
  const onExit = () => {
    if (isAlive(pid)) process.kill(pid, 'SIGTERM');
  };
  process.once('exit', onExit);
  return {
    url: `redis://127.0.0.1:${port}/${db}`,
    where: `${where}, on 127.0.0.1:${port}, database ${db}`,
    reset,
    async stop() {
      process.off('exit', onExit);
      await stopProcess(pid, child);
      rmSync(stateFile, { force: true });
    },
  };
}

export async function sandboxRedis(options: { redisUrl?: string; dataDir: string; root: string; generation: Generation }): Promise<SandboxRedis> {
  const noop = () => Promise.resolve();
  const dataDir = path.relative(process.cwd(), options.dataDir) || options.dataDir;
  if (options.redisUrl) {
    const shown = options.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
    return { url: options.redisUrl, where: `REDIS_URL (${shown})`, reset: `stop the sandbox, delete the apikey:* and sandbox:* keys in that Redis, and rm -rf ${dataDir}`, stop: noop };
  }
  const shared = SHARED_DB[options.generation];
  if (await ask(6379, `SELECT ${shared}\r\nPING\r\n`, '+OK\r\n+PONG\r\n')) {
    return {
      url: `redis://127.0.0.1:6379/${shared}`,
      where: `the Redis already running on 127.0.0.1:6379, database ${shared}`,
      reset: `stop the sandbox, then redis-cli -n ${shared} flushdb && rm -rf ${dataDir}`,
      stop: noop,
    };
  }
  return childRedis(options.dataDir, options.root, CHILD_DB[options.generation]);
}

/**
 * Marks the database as the sandbox's (`sandbox:generation`, and a fingerprint of .sandbox/keys.json
 * in `sandbox:keys`), and refuses one that holds a bot's data the sandbox did not write (a real
 * bot's, say), the other generation's, or data sealed with keys that are gone.
 */
export async function claimDatabase(redis: Redis, options: { generation: Generation; where: string; reset: string; keysFingerprint: string }): Promise<void> {
  const { generation, where } = options;
  const marker = await redis.get('sandbox:generation');
  if (marker && marker !== generation) {
    throw new SandboxError(`${where} holds the data of a sandbox simulating ${marker === 'nextgen' ? 'NextGen' : 'FirstGen'}; the two never share a database. Use another one, or reset it.`);
  }
  if (!marker && (await redis.exists('apikey:audit', 'apikey:keys', 'apikey:open-requests', 'apikey:req:open')) > 0) {
    throw new SandboxError(`${where} already holds an apikey bot's data that the sandbox did not write (a real bot's?): the sandbox never mixes with it. Point REDIS_URL at another database (redis://127.0.0.1:6379/9) or unset it.`);
  }
  const fingerprint = await redis.get('sandbox:keys');
  if (fingerprint && fingerprint !== options.keysFingerprint) {
    throw new SandboxError(`The sandbox's data in ${where} was sealed with keys that are no longer in .sandbox/keys.json (was it deleted?). Start afresh: ${options.reset}`);
  }
  await redis.mset('sandbox:generation', generation, 'sandbox:keys', options.keysFingerprint);
}
