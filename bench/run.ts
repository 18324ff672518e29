/**
 * `npm run bench`: what people feel, measured on loopback on this machine.
 *
 * - Ack latency per kind under a realistic mix (the create command, group picker loads, modal
 *   submissions, Approve clicks, audit reviews) at 50 and 200 requests/s, against the compiled bot
 *   (its own process, started with `npm start`'s Node flags) wired to a real redis-server and the
 *   fake Slack and Harness (their own process, see fakes.ts); the same mix against a bare Bolt app
 *   that only acks, in alternating rounds, for information.
 * - Approve click -> the requester's DM, for every click of that load: the Harness call and the
 *   messages run in the bot's process while it acks the rest.
 * - `/apikey audit` over a 1,000,000-event stream, one review at a time.
 * - Start-up to ready, and the bot's resident memory after the load.
 *
 * Loopback only; every loop is bounded. Results go into bench/results.md (see report.ts).
 * Knobs: BENCH_RATES (50,200), BENCH_DURATION_S (30 per rate and target), BENCH_ROUNDS (6),
 * BENCH_AUDIT_EVENTS (1000000), BENCH_NODE_FLAGS (replaces npm start's flags; then results are
 * only printed unless BENCH_RESULTS names a file), BENCH_OTHERS_LIMIT (0.15) and
 * BENCH_WAIT_BUDGET_S (150) for a shared machine (see Machine in processes.ts),
 * BENCH_FAKES_NICE (10).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { APPROVER, mergeReviews, populateAudit, reviewTimes } from './audit';
import { startFakes, type Approval } from './fakes';
import { loadRound, Mix, requester, type People } from './load';
import { phase, settle, sleep, type Under } from './phase';
import { childPid, logSummary, Machine, ROOT, rssMb, startBareBolt, startBot, startCommand, type Running } from './processes';
import { markdown, writeResults, type Phase } from './report';
import { measureSpreadMaps } from './v8-maps';
import { startRedis } from '../src/simulators/redis-server';
import { SlackSender } from '../src/simulators/slack/requests';
import { redisKeys } from '../src/store/keys';
import { groupId } from '../src/simulators/harness-firstgen';
import { CREATE_MODAL, FIELDS } from '../src/slack/ids';
import { createValues } from '../test/helpers/flows';

const RATES = (process.env.BENCH_RATES ?? '50,200').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
/**
 * Reviews per subject. A p99 of 300 was the 3rd-slowest review, so whether one major GC (one every
 * few hundred reviews) happened to land in the sample decided it; 1,000 estimate it steadier.
 */
const AUDIT_SAMPLES = 1000;
const STARTS = 3;
const POOL = 100;

const SECRET = 'bench-signing-secret-0123456789';
const HARNESS_KEY = 'bench-harness-key';
const HMAC_KEY = 'bench-audit-hmac-key-0123456789abcdef';
const ACCOUNT = 'acct_BENCH';
const PEOPLE: People = { requesterPrefix: 'U0BENCHDEV', approver: APPROVER, approvalChannel: 'C0BENCHAPPROVALS' };

async function main() {
  const began = new Date();
  const t0 = Date.now();
  const { flags, line: startLine } = startCommand();
  console.log(`bench: mix at ${RATES.join(' and ')} req/s, ${DURATION_S} s each per target, ${AUDIT_EVENTS.toLocaleString('en')} audit events; bot flags: ${flags.join(' ') || '(none)'}`);
  const redis = await startRedis();
  // Approval messages to click, with their location as the bot recorded it (a click must come
  // from the request's own message), as test/helpers/flows.ts's clickDecision finds it.
  const approvals: Approval[] = [];
  const locator = new Redis(redis.url);
  const locate = async (a: Approval) => {
    for (let i = 0; i < 250; i++) {
      const [channelId, ts] = await locator.hmget(redisKeys.request(a.id), 'approvalChannelId', 'approvalTs');
      if (channelId && ts) return void approvals.push({ ...a, channelId, ts });
      await sleep(20);
    }
    console.warn(`the bot never recorded where the approval message of ${a.id} is`);
  };
  const fakes = await startFakes(
    { harnessKey: HARNESS_KEY, accountId: ACCOUNT, groups: 1000, approvalChannel: PEOPLE.approvalChannel, requesterPrefix: PEOPLE.requesterPrefix },
    (a) => void locate(a),
  );
  const running: Running[] = [];
  const logFile = path.join(ROOT, 'dist-bench', 'bot.log');
  writeFileSync(logFile, '');
  try {
    const audit = await populateAudit(redis.url, 'apikey:audit', AUDIT_EVENTS, HMAC_KEY);
    console.log(`audit stream: ${audit.length.toLocaleString('en')} entries in ${audit.seconds.toFixed(1)} s (Redis memory ${audit.memory})`);

    const env = {
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fakes.slackApiUrl,
      HARNESS_API: 'firstgen',
      HARNESS_API_URL: fakes.harnessUrl,
      HARNESS_ACCOUNT_ID: ACCOUNT,
      // The budget guards the real Harness (FirstGen: 25 calls a minute by default); the simulated
      // one has no limit, and 30 approvals a second would measure the budget's queue, not the bot
      // (bench/budget.ts measures the budget). So it is set as high as it goes.
      HARNESS_RATE_LIMIT_PER_MINUTE: '100000',
      HARNESS_API_KEY: HARNESS_KEY,
      REDIS_URL: redis.url,
      APPROVER_USER_IDS: PEOPLE.approver,
      APPROVAL_CHANNEL_ID: PEOPLE.approvalChannel,
      AUDIT_CHANNEL_ID: 'C0BENCHAUDIT',
      AUDIT_HMAC_KEY: HMAC_KEY,
      NODE_ENV: 'production',
    };
    const redisPid = childPid('redis-server');
    let botPid = 0;
    const machine = new Machine(() => [fakes.pid, redisPid ?? 0, botPid, ...running.map((r) => r.pid)].filter(Boolean));
    // Start-up to ready: the first start (empty group cache), then restarts at the end.
    let bot: Running | undefined;
    const first = await machine.undisturbed(async () => {
      // A bot stopped before its group refresh lands keeps other bots from refreshing for 60 s.
      if (bot) await new SlackSender(bot.url, SECRET, fakes.slackUrl).options(requester(PEOPLE, 99), FIELDS.groupsAction, FIELDS.groupsBlock, '').then(() => bot?.stop());
      bot = await startBot(env, logFile);
      botPid = bot.pid;
      return bot.startupMs;
    });
    const startup = [first];
    running.push(bot!);
    const bare = await startBareBolt(SECRET);
    running.push(bare);
    console.log(`bot ready in ${first.toFixed(0)} ms (pid ${bot!.pid}); bare Bolt pid ${bare.pid}; redis-server pid ${redisPid}`);
    const sender = new SlackSender(bot!.url, SECRET, fakes.slackUrl);
    const under: Under = { bot: bot!, bare, fakes, redisPid, machine, secret: SECRET };

    // The group picker's first load pages through Harness's 1,000 groups (10 pages) into the cache.
    await sender.options(requester(PEOPLE, 98), FIELDS.groupsAction, FIELDS.groupsBlock, '');
    await sleep(1000);
    const idle = rssMb(bot!.pid);

    // Pending requests for the first clicks; from then on the mix's own submissions feed them.
    for (let i = 0; i < POOL; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => sender.viewSubmission(requester(PEOPLE, i + j), CREATE_MODAL.callbackId, createValues(`pool-${i + j}`, [groupId(1)], 'bench'))),
      );
    }
    await settle(fakes);
    // Warm-up (not measured): the JIT, the connection pools.
    const warm = new Mix(sender, PEOPLE, approvals, 'warm');
    await loadRound(bot!.url, SECRET, 50, 3, () => warm.next(true), false);
    await loadRound(bare.url, SECRET, 50, 3, () => warm.next(false), false);
    await settle(fakes);
    await fakes.takeDms();
    console.log(`${approvals.length} pending requests ready to be clicked`);

    const phases: Phase[] = [];
    let freshClicks = 0;
    const creates0 = await fakes.mutations('createApiKey');
    for (const rate of RATES) {
      const mix = new Mix(sender, PEOPLE, approvals, `mix${rate}`);
      const p = await phase(rate, DURATION_S, ROUNDS, under, mix);
      phases.push(p);
      freshClicks += mix.fresh;
      const worst = Object.entries(p.bot.byKind).map(([k, v]) => `${k} ${v.p99.toFixed(1)}`).join(', ');
      console.log(`${rate}/s: p99 ms ${worst}; Approve -> DM p99 ${p.e2e.p99.toFixed(0)} ms (${p.e2e.n}/${p.e2e.clicks}); bot CPU ${(p.cpu.bot * 100).toFixed(0)}%; rounds redone ${p.redone}`);
    }
    const harnessCreates = (await fakes.mutations('createApiKey')) - creates0;
    const after = rssMb(bot!.pid);
    const bareAfter = rssMb(bare.pid);

    // Audit reviews one at a time, in batches of 50, each on a quiet machine; bare Bolt's acks of
    // the same commands show the floor of this client on this machine.
    let k = 0;
    const reviews = async (url: string, subject: () => string, check = true) => {
      const batches: Awaited<ReturnType<typeof reviewTimes>>[] = [];
      for (let i = 0; i < AUDIT_SAMPLES; i += 50) batches.push(await machine.undisturbed(() => reviewTimes(url, sender, SECRET, 50, subject, check)));
      return mergeReviews(batches);
    };
    const byKey = await reviews(bot!.url, () => `key-${(k += 7919) % 10_000}`);
    const byUser = await reviews(bot!.url, () => `<@U0USER${(k += 7919) % 2000}|someone>`);
    const bareReviews = await reviews(bare.url, () => `key-${(k += 7919) % 10_000}`, false);
    const peak = rssMb(bot!.pid, 'VmHWM');
    const stopMs = await bot!.stop();
    running.splice(running.indexOf(bot!), 1);
    // Restarts, as a deploy does them (the group cache is in Redis by now).
    for (let i = 1; i < STARTS; i++) {
      startup.push(
        await machine.undisturbed(async () => {
          const again = await startBot(env, logFile);
          botPid = again.pid;
          await again.stop();
          return again.startupMs;
        }),
      );
    }

    const block = markdown({
      began,
      benchSeconds: (Date.now() - t0) / 1000,
      startLine,
      flags,
      startup,
      stopMs,
      audit,
      phases,
      byKey,
      byUser,
      bareReviews,
      rss: { idle, after, peak, bareAfter },
      harnessCreates,
      freshClicks,
      log: logSummary(logFile),
      machine: { redone: machine.redone, disturbed: machine.disturbed },
      v8Maps: measureSpreadMaps(),
    });
    console.log(`\n${block}\n`);
    const file = process.env.BENCH_RESULTS ?? (process.env.BENCH_NODE_FLAGS === undefined ? path.join(ROOT, 'bench', 'results.md') : undefined);
    if (file) {
      writeResults(path.resolve(ROOT, file), block);
      console.log(`written to ${file}`);
    }
  } finally {
    for (const c of running) await c.stop();
    locator.disconnect();
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
