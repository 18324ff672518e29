/**
 * The processes under test: the compiled bot, started as `npm start` starts it, and bare Bolt.
 * Also what the bench reads about a process from /proc (resident memory, CPU time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../src/simulators/redis-server';
import { npmStart } from '../test/helpers/npm-start';

export const ROOT = path.join(__dirname, '..', '..');

/** `npm start`'s Node flags and script, from package.json; BENCH_NODE_FLAGS (even empty) replaces the flags. */
export function startCommand(): { flags: string[]; script: string; line: string } {
  const start = npmStart(ROOT);
  const override = process.env.BENCH_NODE_FLAGS;
  return { ...start, flags: override === undefined ? start.flags : override.split(/\s+/).filter(Boolean) };
}

export const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS') => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
};

/** CPU seconds (user + system) a process has used so far. */
export const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
};

/** CPU seconds used so far by every process of the machine (all cores), and stolen by the hypervisor, from /proc/stat. */
export const machineCpuSeconds = () => {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return { busy: (user + nice + system + irq + softirq) / 100, steal: steal / 100 };
};

/** Pid of this process's child running `command` (e.g. the redis-server the simulators started). */
export function childPid(command: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [comm, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), stat.slice(stat.lastIndexOf(')') + 2)];
      if (comm === command && Number(rest.split(' ')[1]) === process.pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
  });
}

export interface Running {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Spawn to the first 200 from /readyz (the bot) or to the port line (bare Bolt), in ms. */
  startupMs: number;
  /** SIGTERM, then the time until the process exited, in ms. */
  stop(): Promise<number>;
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      if (child.exitCode !== null) return resolve(0);
      child.once('exit', () => resolve(performance.now() - t0));
      child.kill('SIGTERM');
    });
}

/**
 * Starts `node <npm start's flags> dist/main.js` with `env` on a free loopback port, its output
 * (JSON log lines) appended to `logFile`, and waits until /readyz answers 200, polling every 5 ms
 * as an orchestrator's readiness probe would (more often).
 */
export async function startBot(env: Record<string, string>, logFile: string): Promise<Running> {
  const { flags, script } = startCommand();
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, [...flags, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  while ((await status(`${url}/readyz`)) !== 200) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode} during start-up; see ${logFile}`);
    if (performance.now() - t0 > 15_000) throw new Error(`the bot was not ready within 15 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, pid: child.pid!, url, startupMs: performance.now() - t0, stop: stopper(child) };
}

/** Bare Bolt (bare-bolt.js), with Node's default flags; it prints its port. */
export function startBareBolt(signingSecret: string): Promise<Running> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(__dirname, 'bare-bolt.js')], {
    env: { PATH: process.env.PATH ?? '', SLACK_SIGNING_SECRET: signingSecret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare Bolt did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`bare Bolt exited with ${code}`)));
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(timer);
      const { port } = JSON.parse(d.toString().split('\n')[0]!) as { port: number };
      child.stdout.resume();
      resolve({ child, pid: child.pid!, url: `http://127.0.0.1:${port}`, startupMs: performance.now() - t0, stop: stopper(child) });
    });
  });
}

/** Counts the bot's log lines by level (pino JSON, `"level":"warn"`), and keeps a few warn/error messages. */
export function logSummary(logFile: string): { byLevel: Record<string, number>; samples: string[] } {
  const byLevel: Record<string, number> = {};
  const samples: string[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line) continue;
    let level = 'unparsed';
    let msg = line;
    try {
      const parsed = JSON.parse(line) as { level?: string; msg?: string };
      level = String(parsed.level ?? 'unknown');
      msg = parsed.msg ?? '';
    } catch {
      // not JSON: Node's own warnings
    }
    byLevel[level] = (byLevel[level] ?? 0) + 1;
    if (level !== 'info' && level !== 'debug' && samples.length < 5 && !samples.includes(msg)) samples.push(msg);
  }
  return { byLevel, samples };
}

/**
 * The bench shares the machine with whatever else runs on it. A measurement is kept only when
 * other processes used less than `limit` of a core meanwhile: before each one the bench waits for
 * a quiet second, and a disturbed one is done again (at most `tries` times, then kept and counted
 * as disturbed). Waiting and redoing stop once `budgetMs` has been spent on them, so a busy
 * machine makes the bench a few minutes longer, not endless.
 */
export class Machine {
  redone = 0;
  disturbed = 0;
  private spentMs = 0;

  constructor(
    /** The bench's own processes (besides this one) at the moment of asking. */
    private readonly pids: () => number[],
    private readonly limit = Number(process.env.BENCH_OTHERS_LIMIT ?? 0.15),
    private readonly budgetMs = Number(process.env.BENCH_WAIT_BUDGET_S ?? 150) * 1000,
  ) {}

  private sample() {
    const cpu = new Map<number, number>();
    for (const pid of this.pids()) {
      try {
        cpu.set(pid, cpuSeconds(pid));
      } catch {
        // exited
      }
    }
    const self = process.cpuUsage();
    return { at: performance.now(), machine: machineCpuSeconds().busy, self: (self.user + self.system) / 1e6, cpu };
  }

  /** CPU of other processes, per second of wall time, since `from` (1 = a whole core). */
  private othersSince(from: ReturnType<Machine['sample']>): number {
    const to = this.sample();
    let mine = to.self - from.self;
    for (const [pid, end] of to.cpu) mine += end - (from.cpu.get(pid) ?? 0);
    return (to.machine - from.machine - mine) / ((to.at - from.at) / 1000);
  }

  private async waitQuiet(): Promise<void> {
    while (this.spentMs < this.budgetMs) {
      const from = this.sample();
      await new Promise((r) => setTimeout(r, 1000));
      const quiet = this.othersSince(from) < this.limit;
      if (quiet) return;
      this.spentMs += performance.now() - from.at;
    }
  }

  /** Runs `measure` on a quiet machine, again when something else used the CPU meanwhile. */
  async undisturbed<T>(measure: () => Promise<T>, tries = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.waitQuiet();
      const from = this.sample();
      const value = await measure();
      if (this.othersSince(from) < this.limit) return value;
      if (attempt >= tries || this.spentMs >= this.budgetMs) {
        this.disturbed++;
        return value;
      }
      this.spentMs += performance.now() - from.at;
      this.redone++;
    }
  }
}
