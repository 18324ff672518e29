import { threadIds } from '../../../src/executor/thread-priority';

describe('thread ids (Linux /proc)', () => {
  it('lists the threads of this process, the main thread under the process id among them', () => {
    const ids = threadIds();
    expect(ids).toContain(process.pid);
    // V8's platform threads at least: the list is of threads, not just the process
    expect(ids.length).toBeGreaterThan(1);
  });
});
