import { JobQueue } from '../../../src/executor/job-queue';

describe('JobQueue', () => {
  it('never runs more than `concurrency` jobs at once, and runs them all in order of arrival', async () => {
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const queue = new JobQueue<number>(async (n) => {
      started.push(n);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
    }, 3);
    for (let i = 0; i < 20; i++) queue.push(i);
    expect(queue.size).toBe(20);
    await queue.drain(5000);
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(queue.size).toBe(0);
  });

  it('runs urgent jobs before the ones already waiting', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new JobQueue<string>(async (j) => {
      order.push(j);
      if (j === 'first') await gate;
    }, 1);
    queue.push('first');
    queue.push('approval-1');
    queue.push('approval-2');
    queue.push('open-modal', true);
    release();
    await queue.drain(1000);
    expect(order).toEqual(['first', 'open-modal', 'approval-1', 'approval-2']);
  });

  it('keeps going after a job that throws', async () => {
    const done: number[] = [];
    const queue = new JobQueue<number>(async (n) => {
      if (n === 1) throw new Error('bug');
      done.push(n);
      return Promise.resolve();
    }, 1);
    [0, 1, 2].forEach((n) => queue.push(n));
    await queue.drain(1000);
    expect(done).toEqual([0, 2]);
  });

  it('drain gives up after its timeout', async () => {
    const queue = new JobQueue<number>(() => new Promise(() => undefined), 1);
    queue.push(1);
    const t = Date.now();
    await queue.drain(50);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    expect(queue.size).toBe(1);
  });
});
