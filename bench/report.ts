/**
 * The bench's figures as Markdown, each against its target, written into bench/results.md
 * between the `bench:begin` / `bench:end` markers (the text around them is kept).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { Review } from './audit';
import { KIND_LABEL, KINDS, SHARE, type KindResult, type Kind, type Stats } from './load';
import type { SpreadMaps } from './v8-maps';

export interface Phase {
  rate: number;
  seconds: number;
  rounds: number;
  bot: { byKind: Record<Kind, KindResult>; rps: number };
  bare: { byKind: Record<Kind, KindResult>; rps: number };
  /** CPU of each process per second of the bot's rounds (1 = one core). */
  cpu: { bot: number; fakes: number; loadGenerator: number; redis: number; others: number; steal: number };
  e2e: Stats & { clicks: number; missing: number; failed: number };
  repeats: number;
  /** Rounds done again because other processes used the CPU meanwhile, and rounds kept although disturbed. */
  redone: number;
  disturbed: number;
}

export interface Report {
  began: Date;
  benchSeconds: number;
  startLine: string;
  flags: string[];
  startup: number[];
  stopMs: number;
  audit: { length: number; seconds: number; memory: string };
  phases: Phase[];
  byKey: Review;
  byUser: Review;
  bareReviews: Review;
  rss: { idle: number; after: number; peak: number; bareAfter: number };
  harnessCreates: number;
  freshClicks: number;
  log: { byLevel: Record<string, number>; samples: string[] };
  machine: { redone: number; disturbed: number };
  /** Whether Bolt-style `{ ...args, next, context, client, logger }` objects share a hidden class, and their old-generation bytes (v8-maps.ts). */
  v8Maps: SpreadMaps;
}

const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const ok = (pass: boolean) => (pass ? 'yes' : '**NO**');
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

export function markdown(r: Report): string {
  const L: string[] = [];
  const model = cpus()[0]?.model.trim() ?? 'cpu';
  L.push(`Run of ${r.began.toISOString()} on ${cpus().length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}; the bench itself took ${r.benchSeconds.toFixed(0)} s (build not included).`, '');
  L.push(`Bot: \`node ${r.flags.join(' ')} dist/main.js\`${r.flags.join(' ') === r.startLine.split(/\s+/).slice(1, -1).join(' ') ? ' (as `npm start`)' : ` (NOT npm start's flags: \`${r.startLine}\`)`}, real redis-server, simulated Slack and Harness FirstGen (1,000 user groups, answering at once) in their own process at nice 10; \`AUDIT_HMAC_KEY\` set, and \`HARNESS_RATE_LIMIT_PER_MINUTE=100000\` so that Harness's budget (25 a minute by default) does not queue the approvals: this measures the bot, not the budget. Mix per 20 requests: ${KINDS.map((k) => `${SHARE[k] * 20} ${k}`).join(', ')}. Each Approve click approves a request submitted earlier in the run, so its Harness call, message update and DMs run in the bot while it acks the rest. Latencies in ms, per request, from writing it to the end of the answer.`, '');
  L.push('| rate | kind | requests | p50 | p99 | max | non-2xx / errors / wrong | p99 < 50 ms | bare Bolt p99 | ratio |');
  L.push('| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  for (const p of r.phases) {
    for (const k of KINDS) {
      const b = p.bot.byKind[k];
      const bare = p.bare.byKind[k];
      L.push(`| ${p.rate}/s | ${KIND_LABEL[k]} | ${b.n} | ${ms(b.p50)} | ${ms(b.p99)} | ${ms(b.max)} | ${b.non2xx} / ${b.errors} / ${b.wrong} | ${ok(b.p99 < 50 && b.non2xx + b.errors + b.wrong === 0)} | ${ms(bare.p99)} | ${(b.p99 / bare.p99).toFixed(2)} |`);
    }
  }
  L.push('', `Each rate: ${r.phases[0]?.seconds ?? 0} s against the bot and as long against bare Bolt, in ${r.phases[0]?.rounds ?? 0} alternating rounds. "wrong" = a 200 whose body is not the expected answer.`, '');
  L.push('| rate | offered to bot | bot CPU | redis-server | fakes | load generator | other processes | hypervisor steal | rounds redone / kept disturbed |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of r.phases) {
    const c = p.cpu;
    L.push(`| ${p.rate}/s | ${p.bot.rps.toFixed(0)}/s | ${pct(c.bot)} | ${pct(c.redis)} | ${pct(c.fakes)} | ${pct(c.loadGenerator)} | ${pct(Math.max(0, c.others))} | ${pct(c.steal)} | ${p.redone} / ${p.disturbed} |`);
  }
  L.push('', `CPU per second of the bot's kept rounds (including finishing the queued work after each round), 100% = one of the ${cpus().length} cores. The machine is shared: a round (and each batch of 50 audit reviews, and each start-up) during which other processes used ${pct(Number(process.env.BENCH_OTHERS_LIMIT ?? 0.15))} of a core or more is done again, up to 3 times, within a budget of ${process.env.BENCH_WAIT_BUDGET_S ?? 150} s of waiting and redoing; in all, ${r.machine.redone} measurements were redone and ${r.machine.disturbed} kept although disturbed.`, '');
  L.push('| measurement | samples | p50 | p99 | max | target | met |', '| --- | ---: | ---: | ---: | ---: | --- | --- |');
  for (const p of r.phases) {
    const e = p.e2e;
    L.push(`| Approve click -> requester's DM, during the ${p.rate}/s mix | ${e.n} of ${e.clicks} (${e.failed} failed, ${e.missing} missing, ${p.repeats} clicks found no fresh request) | ${ms(e.p50)} | ${ms(e.p99)} | ${ms(e.max)} | p99 < 200 ms | ${ok(e.p99 < 200 && e.missing + e.failed === 0)} |`);
  }
  for (const [label, v] of [['`/apikey audit <key>`', r.byKey], ['`/apikey audit @user`', r.byUser]] as const) {
    L.push(`| ${label} at ${r.audit.length.toLocaleString('en')} events, one at a time | ${v.n} (${v.empty} empty) | ${ms(v.p50)} | ${ms(v.p99)} | ${ms(v.max)} | p99 < 10 ms | ${ok(v.p99 < 10 && v.empty === 0)} |`);
  }
  const f = r.bareReviews;
  L.push(`| for comparison: bare Bolt acking the same commands, one at a time | ${f.n} | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.max)} | | |`);
  const worstStart = Math.max(...r.startup);
  L.push(`| start-up: spawn to /readyz 200 (first start, then restarts) | ${r.startup.length} | ${r.startup.map((s) => ms(s)).join(', ')} | | ${ms(worstStart)} | < 2000 ms | ${ok(worstStart < 2000)} |`);
  L.push('', '| memory (bot process) | MB | target | met |', '| --- | ---: | --- | --- |');
  L.push(`| RSS at idle (groups cached, before the load) | ${r.rss.idle.toFixed(1)} | | |`);
  L.push(`| RSS after the load | ${r.rss.after.toFixed(1)} | < 100 | ${ok(r.rss.after < 100)} |`);
  L.push(`| peak RSS (VmHWM) | ${r.rss.peak.toFixed(1)} | | |`);
  L.push(`| for comparison: bare Bolt after the same load (Node's default heap flags) | ${r.rss.bareAfter.toFixed(1)} | | |`);
  L.push('', `Audit stream: ${r.audit.length.toLocaleString('en')} entries written in ${r.audit.seconds.toFixed(1)} s (Redis memory ${r.audit.memory}).`);
  L.push(`Harness received ${r.harnessCreates} createApiKey calls for ${r.freshClicks} clicks on fresh requests (redone rounds included): ${r.harnessCreates === r.freshClicks ? 'each approval executed once' : '**not one per click**'}.`);
  L.push(`Graceful stop (SIGTERM to exit): ${ms(r.stopMs)} ms.`);
  const churn = !r.v8Maps.spreadShares;
  L.push(`This Node's V8 ${churn ? 'gives' : 'does not give'} a new hidden class to each \`{ ...args, next, context, client, logger }\`: ${r.v8Maps.spread.toFixed(0)} bytes of old generation per call (Object.assign: ${r.v8Maps.assign.toFixed(0)}). Bolt 5.1 as published builds one per middleware and per listener it tries, for every request; the installed Bolt carries patches/@slack+bolt (Object.assign instead).`);
  const levels = Object.entries(r.log.byLevel).map(([l, n]) => `${n} ${l}`).join(', ');
  L.push(`Bot log: ${levels}${r.log.samples.length ? `; not info: ${r.log.samples.map((s) => `"${s}"`).join(', ')}` : ''}.`);
  return L.join('\n');
}

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

/** Replaces the generated block of `file` (or writes a new file with only that block). */
export function writeResults(file: string, block: string): void {
  const generated = `${BEGIN}\n${block}\n${END}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const [a, b] = [old.indexOf(BEGIN), old.indexOf(END)];
  const text = a >= 0 && b > a ? old.slice(0, a) + generated + old.slice(b + END.length) : `# Benchmark results\n\n${generated}\n`;
  writeFileSync(file, text);
}
