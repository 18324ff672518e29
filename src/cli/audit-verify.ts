#!/usr/bin/env node
import { ConfigError, loadExportConfig } from '../config';
import { chainKeys } from '../store/audit-chain';
import { VerifyUsageError, verifyTrail, type Verdict, type VerdictKind, type VerifyReport } from '../store/audit-verifier';
import { createRedis, waitForReady } from '../store/redis';

/**
 * `npm run -s audit:verify` — checks the audit trail against its hash chain and its checkpoints,
 * like CloudTrail's `validate-logs`: one line per problem, then a summary. Reads the stream in
 * pages (constant memory at millions of entries). README "Audit trail integrity" explains the
 * verdicts. Exit: 0 intact, 1 tampered, 2 usage or configuration, 69 Redis unreachable, 70 a bug.
 */
const USAGE = 'usage: REDIS_URL=redis://… [AUDIT_STREAM_KEY=…] [AUDIT_HMAC_KEY=…] npm run -s audit:verify';
export const EXIT = { ok: 0, tampered: 1, usage: 2, unavailable: 69, internal: 70 } as const;

const KINDS: VerdictKind[] = ['changed', 'removed', 'inserted', 'reordered', 'checkpoint'];

export function verdictLine(v: Verdict): string {
  return `${v.kind.toUpperCase().padEnd(10)} ${v.id || '-'}  ${v.message}`;
}

export function summary(stream: string, r: VerifyReport): string[] {
  const row = (label: string, value: string | number) => `  ${`${label}:`.padEnd(22)}${value}`;
  const lines = [
    '',
    `Audit trail ${stream} (${r.keyed ? 'HMAC-SHA256, keyed with AUDIT_HMAC_KEY' : 'SHA-256, no AUDIT_HMAC_KEY'}):`,
    row('entries checked', r.entries),
    row('unchained', `${r.unchained}${r.unchainedRange ? ` (${r.unchainedRange[0]} … ${r.unchainedRange[1]}, written before the hash chain existed)` : ''}`),
    row('chained', r.chained),
    row('valid', r.valid),
  ];
  if (r.keyed && r.unkeyed > 0) lines.push(row('hashed without key', `${r.unkeyed} (before AUDIT_HMAC_KEY was set; the first keyed entry seals them)`));
  lines.push(row('checkpoints checked', `${r.checkpoints} (${r.checkpointsValid} matched${r.unsignedCheckpoints ? `, ${r.unsignedCheckpoints} unsigned` : ''})`));
  for (const kind of KINDS) lines.push(row(`first ${kind}`, r.first[kind] ?? 'none'));
  if (r.head) lines.push(row('head', `${r.head.hash} at ${r.head.id} (compare with the latest checkpoint in the audit channel)`));
  lines.push(r.problems === 0 ? 'Result: VALID, no problem found' : `Result: INVALID, ${r.problems} problem${r.problems === 1 ? '' : 's'} found`);
  return lines;
}

/** Everything but the process: testable with any environment and output. */
export async function runVerify(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let config;
  try {
    if (argv.length > 0) throw new Error(argv[0] === '--help' || argv[0] === '-h' ? USAGE : `unknown argument "${argv[0]}"\n${USAGE}`);
    config = loadExportConfig(env);
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return EXIT.usage;
  }
  const redis = createRedis(config.redisUrl, { name: 'apikey-audit-verify', commandTimeoutMs: 10_000 });
  redis.on('error', () => undefined);
  try {
    if (!(await waitForReady(redis, 5000))) {
      err('audit verify: Redis is not reachable (check REDIS_URL)');
      return EXIT.unavailable;
    }
    out(`Validating ${config.auditStreamKey} against its hash chain and the checkpoints in ${chainKeys.checkpoints(config.auditStreamKey)}`);
    const report = await verifyTrail(redis, config.auditStreamKey, { hmacKey: config.auditHmacKey, onVerdict: (v) => out(verdictLine(v)) });
    for (const line of summary(config.auditStreamKey, report)) out(line);
    if (!report.keyed) err('audit verify: AUDIT_HMAC_KEY is not set: a forged entry appended with a correct SHA-256 hash is caught only by the checkpoints');
    return report.problems === 0 ? EXIT.ok : EXIT.tampered;
  } catch (e) {
    if (e instanceof VerifyUsageError || e instanceof ConfigError) {
      err(`audit verify: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof Error && (e as { code?: string }).code === 'STORE_UNAVAILABLE') {
      err(`audit verify: Redis failed during the walk (${e.message})`);
      return EXIT.unavailable;
    }
    throw e;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  runVerify(process.argv.slice(2), process.env, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`audit verify failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(EXIT.internal);
    },
  );
}
