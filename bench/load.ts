/**
 * The load: a realistic mix of what people send, at a fixed offered rate (open loop).
 *
 * loadtest's `requestsPerSecond` sends one request every 1000/rate ms whatever the responses do,
 * on keep-alive connections; every request is freshly signed. (autocannon's `overallRate` is not
 * that: each connection sends its per-second quota back to back, so the server sees bursts and
 * the tail measures the bursts.) Latency is taken per request with hrtime, from just before the
 * request is written to the end of the response: loadtest's own figures are whole milliseconds.
 */
import type { IncomingMessage, RequestOptions, request } from 'node:http';
import { loadTest } from 'loadtest';
import { makeGroups } from '../src/simulators/harness-firstgen';
import { sign, type SlackSender } from '../src/simulators/slack/requests';
import { ACTIONS, CREATE_MODAL, FIELDS } from '../src/slack/ids';
import { createValues } from '../test/helpers/flows';
import { wallMs, type Approval } from './fakes';

export type Kind = 'command' | 'options' | 'submission' | 'approve' | 'audit';
export const KINDS: Kind[] = ['command', 'options', 'submission', 'approve', 'audit'];
export const KIND_LABEL: Record<Kind, string> = {
  command: '`/apikey create` (opens the modal)',
  options: 'group picker options load (1,000 groups)',
  submission: 'create modal submission',
  approve: 'Approve click (Harness call + DMs after the ack)',
  audit: '`/apikey audit <key>` (answered in the ack)',
};

/**
 * Per 20 requests: what a person creating a key sends (the command, a few keystrokes in the group
 * picker, the submission), an approver's click on a request submitted a little earlier, and now
 * and then an audit review. Interleaved, so no kind comes in a burst.
 */
const PATTERN: Kind[] = [
  'options', 'command', 'options', 'submission', 'options', 'approve', 'options', 'audit', 'options', 'command',
  'options', 'submission', 'options', 'approve', 'options', 'command', 'options', 'submission', 'approve', 'audit',
];
export const SHARE: Record<Kind, number> = Object.fromEntries(KINDS.map((k) => [k, PATTERN.filter((p) => p === k).length / PATTERN.length])) as Record<Kind, number>;

export interface Shot {
  kind: Kind;
  body: string;
  /** For an Approve click on a fresh request: its key's name (the DM names it). */
  clicked?: string;
}

/** The people of the bench: requesters `<prefix>0`..`<prefix>99`, one approver. */
export interface People {
  requesterPrefix: string;
  approver: string;
  approvalChannel: string;
}
export const requester = (people: People, i: number) => `${people.requesterPrefix}${i % 100}`;

/**
 * Makes the bodies of the mix, each one unique as Slack's are (the bot drops a signature it has
 * seen): a hundred requesters take turns, and each picker load comes from its own view. Approve
 * clicks take the oldest approval message not clicked yet, from that message.
 */
export class Mix {
  private n = 0;
  private names = 0;
  private last?: Approval;
  /** Clicks that found no fresh request to approve (they click the last one again). */
  repeats = 0;
  /** Clicks on fresh requests, in every round (kept or not). */
  fresh = 0;
  /** Keystrokes in the picker: empty, then a name typed out, and a part of a name. */
  private readonly queries = ['', 't', 'team-0', 'team-05', 'team-055', 'team-0555', 'am-09'];
  private readonly groups = makeGroups(3);

  constructor(
    private readonly sender: SlackSender,
    private readonly people: People,
    /** Approval messages posted and not clicked yet, oldest first (filled by the fakes process). */
    readonly approvals: Approval[],
    private readonly prefix: string,
  ) {}

  /** The next request; `real` false (bare Bolt) leaves the approvals alone. */
  next(real: boolean): Shot {
    const i = this.n++;
    const kind = PATTERN[i % PATTERN.length]!;
    const user = requester(this.people, i);
    switch (kind) {
      case 'command':
        return { kind, body: this.sender.commandBody(user, 'create') };
      case 'options':
        return { kind, body: this.sender.interactiveBody(suggestionPayload(user, `V${this.prefix}${i}`, this.queries[i % this.queries.length]!)) };
      case 'submission': {
        const name = `${this.prefix}-${this.names++}`;
        const values = createValues(name, [this.groups[i % 3]!.id], 'bench: CI deploys for the platform team');
        return { kind, body: this.sender.interactiveBody(submissionPayload(user, values)) };
      }
      case 'approve': {
        const fresh = real ? this.approvals.shift() : undefined;
        if (real && !fresh) this.repeats++;
        if (fresh) {
          this.last = fresh;
          this.fresh++;
        }
        const at = fresh ?? this.last;
        const body = this.sender.buttonBody(this.people.approver, ACTIONS.approve, at?.id ?? 'req-none', at?.channelId, at?.ts);
        return { kind, body, clicked: fresh?.name };
      }
      case 'audit':
        return { kind, body: this.sender.commandBody(this.people.approver, `audit key-${(i * 7919) % 10_000}`) };
    }
  }
}

/** A keystroke in the create modal's group picker (block_suggestion), from the view `viewId`. */
function suggestionPayload(userId: string, viewId: string, value: string) {
  return {
    type: 'block_suggestion',
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T1' },
    action_id: FIELDS.groupsAction,
    block_id: FIELDS.groupsBlock,
    value,
    view: { id: viewId, type: 'modal', callback_id: CREATE_MODAL.callbackId, state: { values: {} } },
  };
}

export function submissionPayload(userId: string, values: Record<string, Record<string, unknown>>) {
  return {
    type: 'view_submission',
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T1' },
    trigger_id: `trigger-${userId}-${Date.now()}`,
    view: { id: 'V1', type: 'modal', callback_id: CREATE_MODAL.callbackId, private_metadata: '', state: { values }, hash: '1', team_id: 'T1', app_id: 'A1', bot_id: 'BBOT' },
  };
}

/** What a right answer looks like, per kind (the bot's; bare Bolt's are not checked). */
const RIGHT: Record<Kind, (body: string) => boolean> = {
  command: (b) => b === '',
  options: (b) => b.startsWith('{"options":[{') && !b.includes('"value":"unavailable"'),
  submission: (b) => b === '',
  approve: (b) => b === '',
  audit: (b) => b.includes('Audit trail') && !b.includes('No matching events'),
};

export interface KindSamples {
  samples: number[];
  non2xx: number;
  errors: number;
  wrong: number;
}
export interface Round {
  byKind: Record<Kind, KindSamples>;
  sent: number;
  seconds: number;
  /** Key name -> wall-clock ms the Approve click was written. */
  clicks: Map<string, number>;
}

export function emptyRound(seconds: number): Round {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, { samples: [], non2xx: 0, errors: 0, wrong: 0 }])) as unknown as Record<Kind, KindSamples>;
  return { byKind, sent: 0, seconds, clicks: new Map() };
}

/** `seconds` of the mix at `rate` requests/s against `url`; `check` verifies the bodies of the answers. */
export async function loadRound(url: string, secret: string, rate: number, seconds: number, next: () => Shot, check: boolean): Promise<Round> {
  const round = emptyRound(seconds);
  // The callback form: loadtest 8's bundled typings still describe it only.
  await new Promise<void>((resolve, reject) => loadTest({
    url: `${url}/slack/events`,
    method: 'POST',
    requestsPerSecond: rate,
    maxSeconds: seconds,
    agentKeepAlive: true,
    quiet: true,
    requestGenerator: (_options: unknown, params: RequestOptions, client: typeof request, done: (res: IncomingMessage) => void) => {
      const shot = next();
      const mine = round.byKind[shot.kind];
      params.headers = { ...params.headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(shot.body), ...sign(secret, shot.body) };
      round.sent++;
      if (shot.clicked) round.clicks.set(shot.clicked, wallMs());
      const sent = process.hrtime.bigint();
      const req = client(params, (res) => {
        const chunks: Buffer[] = [];
        if (check) res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          if (res.statusCode !== 200) return void mine.non2xx++;
          mine.samples.push(Number(process.hrtime.bigint() - sent) / 1e6);
          if (check && !RIGHT[shot.kind](Buffer.concat(chunks).toString('utf8'))) mine.wrong++;
        });
        done(res);
      });
      req.once('error', () => mine.errors++);
      req.write(shot.body);
      return req;
    },
  }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve())));
  return round;
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

export type KindResult = Stats & { non2xx: number; errors: number; wrong: number };

/** Rounds merged, per kind; and the offered rate achieved. */
export function merge(rounds: Round[]): { byKind: Record<Kind, KindResult>; rps: number } {
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  const sum = (k: Kind, f: 'non2xx' | 'errors' | 'wrong') => rounds.reduce((a, r) => a + r.byKind[k][f], 0);
  const byKind = Object.fromEntries(
    KINDS.map((k) => [k, { ...stats(rounds.flatMap((r) => r.byKind[k].samples)), non2xx: sum(k, 'non2xx'), errors: sum(k, 'errors'), wrong: sum(k, 'wrong') }]),
  ) as Record<Kind, KindResult>;
  return { byKind, rps: rounds.reduce((a, r) => a + r.sent, 0) / seconds };
}
