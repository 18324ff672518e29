import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real redis-server on a free loopback port, in a temp dir, without persistence. */
export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), as after an outage. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function redisBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (see README, Tests)');
  return found;
}

/** The process id of the redis-server answering on `port`, or undefined when none answers. */
export function servingPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    const done = (pid?: number) => {
      s.destroy();
      resolve(pid);
    };
    s.setTimeout(1000, () => done());
    s.once('connect', () => s.write('INFO server\r\n'));
    s.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const found = /process_id:(\d+)/.exec(text);
      if (found) done(Number(found[1]));
    });
    s.once('error', () => done());
  });
}

/** Thrown when another process took the port between `freePort()` and the spawn. */
class PortTaken extends Error {}

/**
 * Waits until the server on `port` is `child` itself. Another suite (or another test run) may have
 * taken the port since `freePort()` chose it: then this child exits, and a PING would be answered
 * by the other server, whose stop later looks like an outage here.
 */
async function waitForChild(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new PortTaken(`redis-server exited at once: is 127.0.0.1:${port} taken?`);
    if ((await servingPid(port)) === child.pid) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `port`: that one (no second try when it is taken); by default a free one. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const bin = redisBinary();
  let port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'apikey-redis-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    const c = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    child = c;
    await waitForChild(port, c, 5000);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      if (!(err instanceof PortTaken) || options.port !== undefined || attempt === 5) {
        await stop();
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
