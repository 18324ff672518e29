import { currentThreadId, threadIds } from '../../../src/executor/thread-priority';

describe('thread ids (Linux /proc)', () => {
  it('names the main thread by the process id, among the threads of this process', () => {
    expect(currentThreadId()).toBe(process.pid);
    const ids = threadIds();
    expect(ids).toContain(process.pid);
    // V8's platform threads at least: the list is of threads, not just the process
    expect(ids.length).toBeGreaterThan(1);
  });
});
