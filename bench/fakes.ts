/**
 * The fake Slack Web API and the fake Harness for the benchmark, in their own process.
 *
 * Slack and Harness are remote services: their work must not run on the load generator's event
 * loop, where every views.open or chat.postMessage the bot makes would delay the timestamps of the
 * bot's own acks (and never those of bare Bolt, which calls nothing). On this 2-core machine the
 * process runs at nice 10 (BENCH_FAKES_NICE): in production that work happens on Slack's and
 * Harness's machines, not beside the bot. The bench talks to this process over Node's IPC channel
 * for the little it reads back.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { startFakeHarness, makeGroups } from '../src/simulators/harness-firstgen';
import { startFakeSlack } from '../src/simulators/slack/web-api';
import { approveButtonValue } from '../test/helpers/flows';

export interface FakesOptions {
  harnessKey: string;
  accountId: string;
  groups: number;
  approvalChannel: string;
  requester: string;
}

type Op =
  | { op: 'total' }
  | { op: 'mark' }
  | { op: 'approvals'; since: number; prefix: string }
  | { op: 'dms'; since: number; startsWith: string }
  | { op: 'forget' }
  | { op: 'mutations'; name: string };

interface Ready {
  ready: { slackUrl: string; slackApiUrl: string; harnessUrl: string };
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** An approval request the bot posted: its id (the Approve button's value) and its key's name. */
export interface Approval {
  id: string;
  name: string;
}

/** The bench's handle on the fakes process. */
export interface Fakes {
  slackUrl: string;
  slackApiUrl: string;
  harnessUrl: string;
  pid: number;
  /** Slack calls answered so far (kept or not). */
  total(): Promise<number>;
  /** Position in the kept calls, for reading only what came after. */
  mark(): Promise<number>;
  /** Request ids from the Approve buttons of approval posts naming `prefix`, after `since`. */
  approvals(since: number, prefix: string): Promise<Approval[]>;
  /** DMs to the requester whose text starts with `startsWith`, after `since`. */
  dms(since: number, startsWith: string): Promise<{ text: string; at: number }[]>;
  /** Drop the kept calls (read already). */
  forget(): Promise<void>;
  mutations(name: string): Promise<number>;
  close(): Promise<void>;
}

export function startFakes(options: FakesOptions): Promise<Fakes> {
  const child: ChildProcess = fork(__filename, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const call = <T>(op: Op): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...op });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fakes process did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`fakes process exited with ${code}`)));
    child.on('message', (message: Ready | Reply) => {
      if ('ready' in message) {
        clearTimeout(timer);
        resolve({
          ...message.ready,
          pid: child.pid!,
          total: () => call({ op: 'total' }),
          mark: () => call({ op: 'mark' }),
          approvals: (since, prefix) => call({ op: 'approvals', since, prefix }),
          dms: (since, startsWith) => call({ op: 'dms', since, startsWith }),
          forget: () => call({ op: 'forget' }),
          mutations: (name) => call({ op: 'mutations', name }),
          close: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  });
}

async function serve(options: FakesOptions) {
  setPriority(Number(process.env.BENCH_FAKES_NICE ?? 10));
  const isApproval = (c: { method: string; args: Record<string, unknown> }) => c.method === 'chat.postMessage' && c.args.channel === options.approvalChannel;
  const isDm = (c: { method: string; args: Record<string, unknown> }) => c.method === 'chat.postMessage' && c.args.channel === options.requester;
  // Keep only the calls the bench reads: holding tens of thousands of Block Kit payloads makes
  // the fake itself slow (GC pauses).
  const slack = await startFakeSlack({ keep: (c) => isApproval(c) || isDm(c) });
  const harness = await startFakeHarness({ apiKey: options.harnessKey, accountId: options.accountId, groups: makeGroups(options.groups) });
  const answer = (op: Op): unknown => {
    switch (op.op) {
      case 'total':
        return slack.total;
      case 'mark':
        return slack.calls.length;
      case 'approvals': {
        // Posting order is not submission order (concurrent submissions): pair each id with its key name.
        const name = new RegExp(`${op.prefix}-\\d+`);
        return slack.calls.slice(op.since).flatMap((c): Approval[] => {
          const key = isApproval(c) ? name.exec(JSON.stringify(c.args.blocks))?.[0] : undefined;
          return key ? [{ id: approveButtonValue(c), name: key }] : [];
        });
      }
      case 'dms':
        return slack.calls
          .slice(op.since)
          .filter((c) => isDm(c) && String(c.args.text).startsWith(op.startsWith))
          .map((c) => ({ text: String(c.args.text), at: c.at }));
      case 'forget':
        slack.calls.length = 0;
        return undefined;
      case 'mutations':
        return harness.mutations(op.name).length;
    }
  };
  process.on('message', (message: { id: number } & Op) => {
    try {
      process.send!({ id: message.id, result: answer(message) } satisfies Reply);
    } catch (err) {
      process.send!({ id: message.id, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
    }
  });
  process.on('SIGTERM', () => void Promise.all([slack.close(), harness.close()]).then(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: { slackUrl: slack.url, slackApiUrl: slack.apiUrl, harnessUrl: harness.url } } satisfies Ready);
}

if (require.main === module) {
  void serve(JSON.parse(process.argv[2] ?? '{}') as FakesOptions);
}
