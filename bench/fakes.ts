/**
 * The fake Slack Web API and the fake Harness for the benchmark, in their own process.
 *
 * Slack and Harness are remote services: their work must not run on the load generator's event
 * loop, where every views.open or chat.postMessage the bot makes would delay the timestamps of the
 * bot's own acks (and never those of bare Bolt, which calls nothing). On this 2-core machine the
 * process runs at nice 10 (BENCH_FAKES_NICE): in production that work happens on Slack's and
 * Harness's machines, not beside the bot. It keeps no Slack call (holding tens of thousands of
 * Block Kit payloads made it slow); it tells the bench over Node's IPC channel about each approval
 * message the bot posts (so the load can click its Approve button) and keeps, for each result
 * DM, the key's name and the time it arrived (for Approve -> DM).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startFakeHarness, makeGroups } from '../src/simulators/harness-firstgen';
import { startFakeSlack, type SlackCall } from '../src/simulators/slack/web-api';
import { approveButtonValue } from '../test/helpers/flows';

export interface FakesOptions {
  harnessKey: string;
  accountId: string;
  groups: number;
  approvalChannel: string;
  /** Requesters' user ids start with this: their DMs are the ones read. */
  requesterPrefix: string;
}

/** An approval request the bot posted: its id (the Approve button's value), its key's name, and where the message is (read from Redis). */
export interface Approval {
  id: string;
  name: string;
  channelId?: string;
  ts?: string;
}

/** A result DM to the requester: the key it names, whether it says done, and when it arrived (wall clock, ms, sub-ms precision). */
export interface ResultDm {
  name: string;
  done: boolean;
  at: number;
}

type Op = { op: 'total' } | { op: 'takeDms' } | { op: 'mutations'; name: string };
type FromFakes =
  | { ready: { slackUrl: string; slackApiUrl: string; harnessUrl: string } }
  | { approval: Approval }
  | { id: number; result?: unknown; error?: string };

/** The bench's handle on the fakes process. */
export interface Fakes {
  slackUrl: string;
  slackApiUrl: string;
  harnessUrl: string;
  pid: number;
  /** Slack calls answered so far. */
  total(): Promise<number>;
  /** The result DMs that arrived since the last call. */
  takeDms(): Promise<ResultDm[]>;
  /** Harness requests that ran this mutation. */
  mutations(name: string): Promise<number>;
  close(): Promise<void>;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes. */
export const wallMs = () => performance.timeOrigin + performance.now();

export function startFakes(options: FakesOptions, onApproval: (a: Approval) => void): Promise<Fakes> {
  const child: ChildProcess = fork(__filename, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (m: { result?: unknown; error?: string }) => void>();
  let next = 0;
  const call = <T>(op: Op): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result as T)));
      child.send({ id, ...op });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fakes process did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`fakes process exited with ${code}`)));
    child.on('message', (message: FromFakes) => {
      if ('approval' in message) return onApproval(message.approval);
      if ('ready' in message) {
        clearTimeout(timer);
        return resolve({
          ...message.ready,
          pid: child.pid!,
          total: () => call({ op: 'total' }),
          takeDms: () => call({ op: 'takeDms' }),
          mutations: (name) => call({ op: 'mutations', name }),
          close: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      waiter?.(message);
    });
  });
}

async function serve(options: FakesOptions) {
  setPriority(Number(process.env.BENCH_FAKES_NICE ?? 10));
  const send = (m: FromFakes) => process.send!(m);
  const dms: ResultDm[] = [];
  const keyName = /the Harness API key \*([\w.-]+)\*|\(create \*([\w.-]+)\*\)/;
  const keep = (c: SlackCall) => {
    if (c.method !== 'chat.postMessage') return false;
    if (c.args.channel === options.approvalChannel) {
      const name = /\b(?:pool|mix|warm)\d*-\d+\b/.exec(JSON.stringify(c.args.blocks))?.[0];
      if (name) send({ approval: { id: approveButtonValue(c), name } });
    } else if (String(c.args.channel).startsWith(options.requesterPrefix)) {
      const text = String(c.args.text);
      const done = text.startsWith('Approved by');
      if (done || text.includes('did not complete')) {
        const m = keyName.exec(text);
        if (m) dms.push({ name: (m[1] ?? m[2])!, done, at: wallMs() });
      }
    }
    return false;
  };
  const slack = await startFakeSlack({ keep });
  const harness = await startFakeHarness({ apiKey: options.harnessKey, accountId: options.accountId, groups: makeGroups(options.groups) });
  // The fake Harness records every request; the bench reads only the mutation counts.
  const answer = (op: Op): unknown => {
    switch (op.op) {
      case 'total':
        return slack.total;
      case 'takeDms':
        return dms.splice(0, dms.length);
      case 'mutations':
        return harness.mutations(op.name).length;
    }
  };
  process.on('message', (message: { id: number } & Op) => {
    try {
      send({ id: message.id, result: answer(message) });
    } catch (err) {
      send({ id: message.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('SIGTERM', () => void Promise.all([slack.close(), harness.close()]).then(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
  send({ ready: { slackUrl: slack.url, slackApiUrl: slack.apiUrl, harnessUrl: harness.url } });
}

if (require.main === module) {
  void serve(JSON.parse(process.argv[2] ?? '{}') as FakesOptions);
}
