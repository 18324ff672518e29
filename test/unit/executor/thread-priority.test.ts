import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { threadIds } from '../../../src/executor/thread-priority';

describe('thread ids (Linux /proc)', () => {
  it('lists the threads of this process, the main thread under the process id among them', () => {
    const ids = threadIds();
    expect(ids).toContain(process.pid);
    // V8's platform threads at least: the list is of threads, not just the process
    expect(ids.length).toBeGreaterThan(1);
  });
});

/**
 * In a child process (the compiled module; `npm test` builds dist/ first), so this process's
 * threads keep their priorities: start a worker, deprioritise, and report every thread's nice
 * value and policy from /proc.
 */
function deprioritiseInChild(pathEnv: string) {
  const modulePath = path.join(__dirname, '../../../dist/executor/thread-priority.js');
  const script = `
    const { Worker } = require('node:worker_threads');
    const { readdirSync, readFileSync } = require('node:fs');
    const { deprioritiseBackgroundThreads } = require(${JSON.stringify(modulePath)});
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    worker.once('online', () => {
      const result = deprioritiseBackgroundThreads();
      const threads = readdirSync('/proc/self/task').map((tid) => {
        const f = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ');
        return { main: Number(tid) === process.pid, nice: Number(f[16]), policy: Number(f[38]) };
      });
      console.log(JSON.stringify({ result, threads }));
      process.exit(0);
    });`;
  const run = spawnSync(process.execPath, ['-e', script], { env: { PATH: pathEnv }, encoding: 'utf8' });
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { result: { niced: number; idle: number }; threads: { main: boolean; nice: number; policy: number }[] };
}

describe('deprioritiseBackgroundThreads', () => {
  const hasChrt = spawnSync('sh', ['-c', 'command -v chrt']).status === 0;

  (hasChrt ? it : it.skip)('moves every thread but the main one to nice 10 and SCHED_IDLE', () => {
    const { result, threads } = deprioritiseInChild(process.env.PATH ?? '');
    const others = threads.filter((t) => !t.main);
    expect(result).toEqual({ niced: others.length, idle: others.length });
    expect(threads.filter((t) => t.main)).toEqual([{ main: true, nice: 0, policy: 0 }]);
    expect(others.every((t) => t.nice === 10 && t.policy === 5)).toBe(true);
  });

  it('falls back to nice 10 alone where chrt cannot be found', () => {
    const { result, threads } = deprioritiseInChild('/nonexistent');
    const others = threads.filter((t) => !t.main);
    expect(result).toEqual({ niced: others.length, idle: 0 });
    expect(others.length).toBeGreaterThan(1);
    expect(others.every((t) => t.nice === 10 && t.policy === 0)).toBe(true);
    expect(threads.find((t) => t.main)).toEqual({ main: true, nice: 0, policy: 0 });
  });
});
