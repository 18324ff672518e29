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
 */
export const BACKGROUND_NICE = 10;

/** Thread ids of this process (Linux), or [] where /proc is not available. */
export function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter((tid) => Number.isInteger(tid) && tid > 0);
  } catch {
    return [];
  }
}

/**
 * Lowers every thread of the process except the main (receiver) thread to BACKGROUND_NICE.
 * Returns how many threads were changed; a thread that ends meanwhile is skipped.
 */
export function deprioritiseBackgroundThreads(): number {
  let changed = 0;
  for (const tid of threadIds()) {
    if (tid === process.pid) continue; // the main thread's id is the process id
    try {
      setPriority(tid, BACKGROUND_NICE);
      changed++;
    } catch {
      // the thread exited between the listing and now, or the platform refuses: nothing to do
    }
  }
  return changed;
}
