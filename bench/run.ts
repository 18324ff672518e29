/**
 * `npm run bench`: Slack's 3-second window, measured on loopback in one run.
 *
 * - Ack latency and throughput for the slash command (modal open), a user-group options load
 *   (type-ahead over 1,000 cached groups) and an Approve click, at a fixed offered rate, with
 *   signed requests, against the real bot (compiled, its own process) wired to a real
 *   redis-server and the local fake Slack and Harness servers (their own process, see fakes.ts);
 *   and the same against a bare Bolt app that only acks.
 * - End-to-end approval time: Approve click -> the requester's DM.
 * - Audit review over 1,000,000 stream events: `/apikey audit <key>` and `/apikey audit @user`.
 * - Resident set size of the bot at idle and after the load.
 *
 * Loopback only; every loop is bounded in count and time. Results go to bench/results.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import type { IncomingMessage, RequestOptions, request } from 'node:http';
import { loadTest } from 'loadtest';
import Redis from 'ioredis';
import { ACTIONS, FIELDS } from '../src/slack/ids';
import { makeGroups } from '../src/simulators/harness-firstgen';
import { createValues } from '../test/helpers/flows';
import { startRedis } from '../src/simulators/redis-server';
import { SlackSender, sign } from '../src/simulators/slack/requests';
import { startFakes, type Approval, type Fakes } from './fakes';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const E2E_APPROVALS = 200;
const AUDIT_SAMPLES = 300;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const EXECUTOR = process.env.BENCH_EXECUTOR === 'inline' ? 'inline' : 'worker';
const RESULTS = process.env.BENCH_RESULTS ?? (EXECUTOR === 'worker' ? 'results.md' : `results-${EXECUTOR}.md`);

const SECRET = 'bench-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-bench-token';
const HARNESS_KEY = 'bench-harness-key';
const ACCOUNT = 'acct_BENCH';
const REQUESTER = 'U0BENCHDEV';
const APPROVER = 'U0BENCHADMIN';
const ROOT = path.join(__dirname, '..', '..');

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN };
}

const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS') => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
};

/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
};

/** Starts a Node process and resolves with the port it reports on stdout. */
function startProcess(
  script: string,
  env: Record<string, string>,
  portOf: (line: string) => number | undefined,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 15_000);
    const onData = (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        const port = portOf(line);
        if (port) {
          clearTimeout(timer);
          // From here on the child's output (warnings, --trace-gc) passes straight through.
          child.stdout.off('data', onData);
          child.stdout.pipe(process.stdout);
          resolve({ child, port });
          return;
        }
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/**
 * A fixed offered rate: loadtest's `requestsPerSecond` sends one request every 1000/RATE ms
 * whatever the responses do (open loop), on keep-alive connections; every request freshly
 * signed. (autocannon's `overallRate` is not that: each connection sends its per-second quota
 * back to back at the start of every second, so the server sees bursts of concurrent requests and
 * the tail measures the bursts.) Latency is taken per request with hrtime, from just before the
 * request is written to the end of the response: loadtest's own figures are whole milliseconds,
 * too coarse for a ratio.
 */
interface Round {
  samples: number[];
  sent: number;
  non2xx: number;
  errors: number;
  seconds: number;
}
type LoadResult = Stats & { rps: number; non2xx: number; errors: number };

async function loadRound(url: string, makeBody: () => string, seconds: number): Promise<Round> {
  const round: Round = { samples: [], sent: 0, non2xx: 0, errors: 0, seconds };
  // The callback form: loadtest 8's bundled typings still describe it only.
  await new Promise<void>((resolve, reject) => loadTest({
    url: `${url}/slack/events`,
    method: 'POST',
    requestsPerSecond: RATE,
    maxSeconds: seconds,
    agentKeepAlive: true,
    quiet: true,
    requestGenerator: (_options: unknown, params: RequestOptions, client: typeof request, done: (res: IncomingMessage) => void) => {
      const body = makeBody();
      params.headers = { ...params.headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...sign(SECRET, body) };
      round.sent++;
      const sent = process.hrtime.bigint();
      const req = client(params, (res) => {
        res.once('end', () => {
          if (res.statusCode === 200) round.samples.push(Number(process.hrtime.bigint() - sent) / 1e6);
          else round.non2xx++;
        });
        done(res);
      });
      req.once('error', () => round.errors++);
      req.write(body);
      return req;
    },
  }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve())));
  return round;
}

function merge(rounds: Round[]): LoadResult {
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  return {
    ...stats(rounds.flatMap((r) => r.samples)),
    rps: rounds.reduce((a, r) => a + r.sent, 0) / seconds,
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
  };
}

async function settle(fakes: Fakes, quietMs = 500, maxMs = 60_000) {
  const deadline = Date.now() + maxMs;
  let last = -1;
  while (Date.now() < deadline) {
    const total = await fakes.total();
    if (total === last) return;
    last = total;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** Submits `n` create requests (keys `<prefix>-<i>`) through the bot's real path; returns the posted approvals. */
async function pendingRequests(sender: SlackSender, fakes: Fakes, prefix: string, n: number): Promise<Approval[]> {
  const since = await fakes.mark();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const res = await sender.viewSubmission(REQUESTER, 'apikey_create', createValues(`${prefix}-${i}`, [makeGroups(3)[i % 3]!.id], 'bench'));
      if (res.status !== 200 || res.body !== '') throw new Error(`submission ${i} refused: ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await settle(fakes);
  const approvals = await fakes.approvals(since, prefix);
  await fakes.forget(); // read; free it
  return approvals;
}

/** 1,000,000 audit entries in the bot's format (stream + indexes), dated over the last 30 days. */
async function populateAudit(redisUrl: string, stream: string, total: number) {
  const redis = new Redis(redisUrl);
  const start = Date.now() - 30 * 86_400_000;
  const step = Math.max(1, Math.floor((30 * 86_400_000 - 60_000) / total));
  const events = ['requested', 'approved', 'executed', 'refused'];
  const t0 = Date.now();
  for (let base = 0; base < total; base += 5000) {
    const p = redis.pipeline();
    for (let i = base; i < Math.min(total, base + 5000); i++) {
      const ms = start + i * step;
      const id = `${ms}-0`;
      const req = `req-bench-${Math.floor(i / 4)}`;
      const key = `key-${Math.floor(i / 4) % 10_000}`;
      const requester = `U0USER${Math.floor(i / 4) % 2000}`;
      const actor = i % 4 === 0 ? requester : `U0ADMIN${i % 20}`;
      p.xadd(stream, id, 'event', events[i % 4]!, 'requestId', req, 'operation', 'create', 'actorId', actor, 'requesterId', requester, 'keyName', key, 'keyUuid', '', 'userGroupIds', 'grp0000000000000000001', 'reason', 'bench', 'at', new Date(ms).toISOString());
      p.zadd(`${stream}:idx:req:${req}`, ms, id);
      p.zadd(`${stream}:idx:user:${actor}`, ms, id);
      if (actor !== requester) p.zadd(`${stream}:idx:user:${requester}`, ms, id);
      p.zadd(`${stream}:idx:key:name:${key}`, ms, id);
    }
    await p.exec();
  }
  const length = await redis.xlen(stream);
  const memory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1] ?? '?';
  redis.disconnect();
  return { length, seconds: (Date.now() - t0) / 1000, memory };
}

async function main() {
  const began = new Date();
  console.log(`bench: ${RATE} req/s for ${DURATION_S} s per kind, ${AUDIT_EVENTS.toLocaleString()} audit events, EXECUTOR=${EXECUTOR}`);
  const redis = await startRedis();
  // Slack and Harness stand-ins in their own process, off the load generator's event loop.
  const fakes = await startFakes({ harnessKey: HARNESS_KEY, accountId: ACCOUNT, groups: 1000, approvalChannel: 'C0BENCHAPPROVALS', requester: REQUESTER });
  const children: ChildProcess[] = [];
  try {
    const audit = await populateAudit(redis.url, 'apikey:audit', AUDIT_EVENTS);
    console.log(`audit stream: ${audit.length.toLocaleString()} entries written in ${audit.seconds.toFixed(1)} s (Redis memory ${audit.memory})`);

    // Started exactly as `npm start` starts it (same Node flags), from the package.json script.
    const startScript = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const [, ...startArgs] = startScript.split(/\s+/);
    const bot = await startProcess(
      path.join(ROOT, startArgs.pop()!),
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fakes.slackApiUrl,
        PORT: '0',
        HARNESS_API_URL: fakes.harnessUrl,
        HARNESS_ACCOUNT_ID: ACCOUNT,
        HARNESS_API_KEY: HARNESS_KEY,
        REDIS_URL: redis.url,
        APPROVER_USER_IDS: APPROVER,
        APPROVAL_CHANNEL_ID: 'C0BENCHAPPROVALS',
        AUDIT_CHANNEL_ID: 'C0BENCHAUDIT',
        NODE_ENV: 'production',
        EXECUTOR,
      },
      (line) => (line.includes('apikey bot started') ? (JSON.parse(line) as { port: number }).port : undefined),
      // Extra flags for profiling the bot under load, e.g. BENCH_BOT_NODE_ARGS=--cpu-prof
      [...startArgs, ...(process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    );
    children.push(bot.child);
    const bare = await startProcess(path.join(__dirname, 'bare-bolt.js'), { SLACK_SIGNING_SECRET: SECRET }, (line) =>
      line.startsWith('{"port"') ? (JSON.parse(line) as { port: number }).port : undefined,
    );
    children.push(bare.child);
    const botUrl = `http://127.0.0.1:${bot.port}`;
    const bareUrl = `http://127.0.0.1:${bare.port}`;
    const sender = new SlackSender(botUrl, SECRET, fakes.slackUrl);

    // Warm the user-group cache (3 + 7 Harness pages for 1,000 groups), then let the bot idle.
    await sender.options(REQUESTER, FIELDS.groupsAction, FIELDS.groupsBlock, '');
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss = rssMb(bot.child.pid!);

    const approvals = await pendingRequests(sender, fakes, 'load', Math.ceil(RATE * DURATION_S * 1.2));
    console.log(`prepared ${approvals.length} pending requests for the Approve load`);
    const queries = ['', 'team-0', 'team-01', 'team-012', 'team-0123', 'team-9', 'eam-05'];
    let q = 0;
    let a = 0;
    const only = process.env.BENCH_ONLY; // a substring of one kind's name, to measure just that kind
    const all = {
      '/apikey create (modal open)': () => sender.commandBody(REQUESTER, 'create'),
      'user-group options load (1,000 groups)': () => sender.optionsBody(REQUESTER, FIELDS.groupsAction, FIELDS.groupsBlock, queries[q++ % queries.length]!),
      'Approve click': () => sender.buttonBody(APPROVER, ACTIONS.approve, approvals[a++ % approvals.length]!.id),
    };
    const kinds = Object.fromEntries(Object.entries(all).filter(([kind]) => !only || kind.includes(only)));
    const rows: { kind: string; bot: LoadResult; bare: LoadResult; botCpu: number }[] = [];
    for (const [kind, makeBody] of Object.entries(kinds)) {
      // Bot and bare Bolt take turns, so both see the same machine (other work, thermal state).
      const botRounds: Round[] = [];
      const bareRounds: Round[] = [];
      let botCpuSeconds = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const cpu0 = cpuSeconds(bot.child.pid!);
        botRounds.push(await loadRound(botUrl, makeBody, DURATION_S / ROUNDS));
        await settle(fakes);
        botCpuSeconds += cpuSeconds(bot.child.pid!) - cpu0;
        bareRounds.push(await loadRound(bareUrl, makeBody, DURATION_S / ROUNDS));
      }
      const [botResult, bareResult] = [merge(botRounds), merge(bareRounds)];
      const botCpu = botCpuSeconds / DURATION_S;
      rows.push({ kind, bot: botResult, bare: bareResult, botCpu });
      console.log(`${kind}: bot p99 ${ms(botResult.p99)} ms (CPU ${(botCpu * 100).toFixed(0)}% of a core), bare p99 ${ms(bareResult.p99)} ms`);
    }
    const harnessCreates = await fakes.mutations('createApiKey');

    // End to end: Approve click -> the requester's DM with the result, with a fast Harness.
    const e2eRequests = await pendingRequests(sender, fakes, 'e2e', E2E_APPROVALS);
    const sentAt = new Map<string, number>(); // by key name: the DM names the key
    const since = await fakes.mark();
    for (const { id, name } of e2eRequests) {
      sentAt.set(name, Date.now());
      void sender.button(APPROVER, ACTIONS.approve, id);
      await new Promise((r) => setTimeout(r, 1000 / 20));
    }
    await settle(fakes);
    const e2e: number[] = [];
    for (const call of await fakes.dms(since, 'Approved by')) {
      const text = call.text;
      const name = /key \*(e2e-\d+)\*/.exec(text)?.[1];
      const t = name ? sentAt.get(name) : undefined;
      if (t !== undefined) e2e.push(call.at - t);
    }

    // Audit review over the 1M-event stream, by key and by user, answered in the ack.
    const reviewTimes = async (subject: () => string) => {
      const samples: number[] = [];
      let empty = 0;
      for (let i = 0; i < AUDIT_SAMPLES; i++) {
        const t = process.hrtime.bigint();
        const res = await sender.command(APPROVER, `audit ${subject()}`);
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (res.status !== 200 || !res.body.includes('*requested*')) empty++;
      }
      return { ...stats(samples), empty };
    };
    let k = 0;
    const auditByKey = await reviewTimes(() => `key-${(k += 7919) % 10_000}`);
    const auditByUser = await reviewTimes(() => `<@U0USER${(k += 7919) % 2000}|someone>`);
    const afterRss = rssMb(bot.child.pid!);
    const peakRss = rssMb(bot.child.pid!, 'VmHWM');

    // ---- report ----
    const ok = (pass: boolean) => (pass ? 'yes' : '**NO**');
    const lines: string[] = [];
    lines.push('# Benchmark results', '');
    lines.push(`- date: ${began.toISOString()}`);
    lines.push(`- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Linux`);
    lines.push(
      `- load: loadtest, ${RATE} requests/s offered at fixed intervals (open loop, keep-alive) for ${DURATION_S} s per kind and target (${ROUNDS} alternating rounds of ${DURATION_S / ROUNDS} s, bot then bare Bolt), every request signed; loopback only`,
    );
    lines.push(`- bot: \`${startScript}\` (as \`npm start\`) with \`EXECUTOR=${EXECUTOR}\`, real redis-server (stream of ${audit.length.toLocaleString()} audit entries), fake Slack Web API and fake Harness (1,000 user groups) on loopback, in their own process at nice 10 (they stand for remote services; the load generator shares no event loop with them)`);
    lines.push('- latencies in ms, per request with hrtime, 2xx only; ratio = bot p99 / bare Bolt p99; bot CPU = CPU time of the bot process (both threads) during its rounds, including finishing queued work, per second of load', '');
    lines.push('| kind | target | requests | p50 | p99 | max | req/s | non-2xx / errors | bot CPU | p99 < 50 ms | ratio | within 1.5x |');
    lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
    for (const r of rows) {
      const ratio = r.bot.p99 / r.bare.p99;
      lines.push(`| ${r.kind} | bot | ${r.bot.n} | ${ms(r.bot.p50)} | ${ms(r.bot.p99)} | ${ms(r.bot.max)} | ${r.bot.rps.toFixed(0)} | ${r.bot.non2xx} / ${r.bot.errors} | ${(r.botCpu * 100).toFixed(0)}% | ${ok(r.bot.p99 < 50)} | ${ratio.toFixed(2)} | ${ok(ratio <= 1.5)} |`);
      lines.push(`| | bare Bolt | ${r.bare.n} | ${ms(r.bare.p50)} | ${ms(r.bare.p99)} | ${ms(r.bare.max)} | ${r.bare.rps.toFixed(0)} | ${r.bare.non2xx} / ${r.bare.errors} | | | | |`);
    }
    const e2eStats = stats(e2e);
    lines.push('', '| measurement | samples | p50 | p99 | max | target | met |', '| --- | ---: | ---: | ---: | ---: | --- | --- |');
    lines.push(`| Approve click -> requester's DM | ${e2eStats.n} of ${e2eRequests.length} | ${ms(e2eStats.p50)} | ${ms(e2eStats.p99)} | ${ms(e2eStats.max)} | p99 < 500 ms | ${ok(e2eStats.p99 < 500 && e2eStats.n === e2eRequests.length)} |`);
    lines.push(`| \`/apikey audit <key>\` at ${audit.length.toLocaleString()} events | ${auditByKey.n} (${auditByKey.empty} empty) | ${ms(auditByKey.p50)} | ${ms(auditByKey.p99)} | ${ms(auditByKey.max)} | p99 < 100 ms | ${ok(auditByKey.p99 < 100 && auditByKey.empty === 0)} |`);
    lines.push(`| \`/apikey audit @user\` at ${audit.length.toLocaleString()} events | ${auditByUser.n} (${auditByUser.empty} empty) | ${ms(auditByUser.p50)} | ${ms(auditByUser.p99)} | ${ms(auditByUser.max)} | p99 < 100 ms | ${ok(auditByUser.p99 < 100 && auditByUser.empty === 0)} |`);
    lines.push('', '| memory (bot process) | MB | target | met |', '| --- | ---: | --- | --- |');
    lines.push(`| RSS at idle (groups cached) | ${idleRss.toFixed(1)} | < 150 | ${ok(idleRss < 150)} |`);
    lines.push(`| RSS after the load | ${afterRss.toFixed(1)} | < 150 | ${ok(afterRss < 150)} |`);
    lines.push(`| peak RSS (VmHWM) | ${peakRss.toFixed(1)} | < 150 | ${ok(peakRss < 150)} |`);
    lines.push('', `Harness received ${harnessCreates} createApiKey calls for ${approvals.length} pending requests clicked ${rows.find((r) => r.kind.startsWith('Approve'))?.bot.n ?? 0} times during the Approve load: each request executes once however often it is clicked.`);
    const report = lines.join('\n') + '\n';
    writeFileSync(path.resolve(ROOT, 'bench', RESULTS), report);
    console.log(`\n${report}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all([fakes.close(), redis.close()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
