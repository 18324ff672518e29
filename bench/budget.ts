import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTIONS } from '../src/slack/ids';
import { groupId } from '../src/simulators/harness-firstgen';
import { APPROVERS, REQUESTER, startEnvironment } from '../test/helpers/environment';
import { clickDecision, dmsTo, submitCreate, waitUntil } from '../test/helpers/flows';

/**
 * A burst of approvals on two replicas against a Harness that counts 25 calls a minute per
 * account and answers 429 above that (FirstGen SaaS allows 30; the bot's default budget is 25).
 * What a person feels: how long the last requester waits, against the budget's own minimum.
 * The real 60-second window, so this phase takes about a minute.
 */
const LIMIT = 25;
const WINDOW_MS = 60_000;
const APPROVALS = 40;

async function main(): Promise<void> {
  const env = await startEnvironment({ env: { HARNESS_RATE_LIMIT_PER_MINUTE: String(LIMIT), LOG_LEVEL: 'warn' }, harnessRateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  try {
    const replica = await env.startReplica();
    const names = Array.from({ length: APPROVALS }, (_, i) => `budget-${i}`);
    const ids: string[] = [];
    for (const name of names) ids.push(await submitCreate(env, REQUESTER, name, [groupId(1)]));
    const before = env.harness.requests.length;
    const started = Date.now();
    await Promise.all(ids.map((id, i) => clickDecision(env, APPROVERS[i % 2]!, ACTIONS.approve, id, i % 2 === 0 ? env.sender : replica.sender)));
    await waitUntil(() => names.every((n) => dmsTo(env, REQUESTER).some((t) => t.includes(n) && t.includes('created'))), 5 * WINDOW_MS, 'every result DM');
    const elapsed = Date.now() - started;
    // Calls already in the window when the burst began (start-up checks, group pages) count too.
    const inWindowBefore = env.harness.requests.slice(0, before).length;
    const windowsNeeded = Math.ceil((APPROVALS + Math.min(inWindowBefore, LIMIT)) / LIMIT) - 1;
    const minimum = windowsNeeded * WINDOW_MS;
    const rows = [
      '## Harness budget: a burst of approvals on two replicas',
      '',
      `- ${APPROVALS} approvals clicked at once, alternating between two replicas; Harness (simulated) allows ${LIMIT} calls a minute per account and answers 429 above that`,
      `- calls already in the window when the burst began: ${Math.min(inWindowBefore, LIMIT)}`,
      '',
      '| measurement | value |',
      '| --- | ---: |',
      `| 429 answers from Harness | ${env.harness.rateLimited} |`,
      `| creates sent to Harness | ${env.harness.mutations('createApiKey').length} |`,
      `| burst to last requester's DM | ${(elapsed / 1000).toFixed(1)} s |`,
      `| the budget's own minimum (${windowsNeeded} more window${windowsNeeded === 1 ? '' : 's'}) | ${(minimum / 1000).toFixed(1)} s |`,
      `| over the minimum | ${((elapsed - minimum) / 1000).toFixed(1)} s |`,
      '',
    ];
    const out = rows.join('\n');
    process.stdout.write(`${out}\n`);
    writeFileSync(path.join(__dirname, '..', '..', 'bench', 'results-budget.md'), `# Benchmark: Harness budget\n\n- date: ${new Date().toISOString()}\n\n${out}`);
    if (env.harness.rateLimited > 0) process.exitCode = 1;
  } finally {
    await env.close();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`budget bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
