import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Scheduling priorities for the bot's threads (Linux; elsewhere these do nothing).
 *
 * The receiver's thread acks Slack within 3 s and must win the CPU when the machine is busy; the
 * rest of the process is throughput work: the executor thread, and the threads V8 and libuv start
 * for themselves (concurrent GC marking and parallel scavenges, mostly for the executor's heap,
 * which churns through Web API and Harness calls). Measured under 200 approvals/s on 2 cores
 * (bench/README): with those threads at nice 0, the receiver's p99 ack was 1.8-2.3x bare Bolt's;
 * at nice 10, 1.3-1.4x.
 *
 * Raising a thread's nice value needs no privilege. On Linux setpriority() on a thread id affects
 * that thread only, and new threads inherit their creator's value.
 *
 * On top of that those threads move to SCHED_IDLE where util-linux's `chrt` exists (it does in
 * Debian images: util-linux is essential). Under Linux's EEVDF scheduler a waking nice-0 thread
 * may still wait for a nice-10 thread to finish its slice; it always preempts a SCHED_IDLE one.
 * Measured (bench/README), requests acked in over 1.5 ms under 200 approvals/s fell by about
 * half. The cost: while the receiver keeps a core saturated, background work gets almost no CPU
 * on that core (it queues, and runs once the burst passes). Moving a thread to SCHED_IDLE needs
 * no privilege either.
 */
export const BACKGROUND_NICE = 10;
/** `policy` in /proc/<pid>/task/<tid>/stat for SCHED_IDLE. */
export const SCHED_IDLE = 5;

/** Thread ids of this process (Linux), or [] where /proc is not available. */
export function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [];
  }
}

/**
 * Lowers every thread of the process except the main (receiver) thread to BACKGROUND_NICE, then
 * to SCHED_IDLE when `chrt` can do it. Returns how many threads got each; a thread that ends
 * meanwhile is skipped.
 */
export function deprioritiseBackgroundThreads(): { niced: number; idle: number } {
  let niced = 0;
  let idle = 0;
  let chrt = true;
  for (const tid of threadIds()) {
    if (tid === process.pid) continue; // the main thread's id is the process id
    try {
      setPriority(tid, BACKGROUND_NICE);
      niced++;
    } catch {
      continue; // the thread exited between the listing and now, or the platform refuses
    }
    if (!chrt) continue;
    const result = spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 2000 });
    if (result.status === 0) idle++;
    else if (result.error) chrt = false; // not installed (ENOENT) or not runnable: nice 10 it is
  }
  return { niced, idle };
}
