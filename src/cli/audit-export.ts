#!/usr/bin/env node
import type { Writable } from 'node:stream';
import type Redis from 'ioredis';
import { parseSince } from '../domain/audit-query';
import { ConfigError, loadExportConfig } from '../config';
import { parseEntry } from '../store/audit-log';
import { createRedis, waitForReady } from '../store/redis';

/**
 * `npm run -s audit:export -- --since 2026-01-01 [--until 2026-02-01] > trail.jsonl`
 * Writes the audit stream as JSON lines (oldest first, one entry a line, with its stream `id`)
 * for a SIEM. Reads in pages, so a stream of millions of entries streams in constant memory.
 */
const USAGE = 'usage: npm run -s audit:export -- [--since 2026-01-01|7d] [--until 2026-02-01] > trail.jsonl';

export function parseArgs(argv: string[], now: number): { sinceMs: number; untilMs?: number } {
  let sinceMs = 0;
  let untilMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    const ms = value ? parseSince(value, now) : undefined;
    if ((flag !== '--since' && flag !== '--until') || ms === undefined) throw new Error(`bad argument "${argv[i] ?? flag}"\n${USAGE}`);
    if (flag === '--since') sinceMs = ms;
    else untilMs = ms;
  }
  return { sinceMs, untilMs };
}

export async function exportAudit(redis: Redis, stream: string, range: { sinceMs: number; untilMs?: number }, out: Writable): Promise<number> {
  let start = `${range.sinceMs}-0`;
  const end = range.untilMs !== undefined ? `${range.untilMs - 1}-18446744073709551615` : '+';
  let written = 0;
  for (;;) {
    const rows = await redis.xrange(stream, start, end, 'COUNT', 1000);
    if (rows.length === 0) return written;
    const chunk = rows.map(([id, flat]) => JSON.stringify(parseEntry(id, flat))).join('\n') + '\n';
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    written += rows.length;
    start = `(${rows[rows.length - 1]![0]}`;
  }
}

async function main(): Promise<number> {
  let config;
  let range;
  try {
    config = loadExportConfig(process.env);
    range = parseArgs(process.argv.slice(2), Date.now());
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 64;
  }
  const redis = createRedis(config.redisUrl, { name: 'apikey-audit-export', commandTimeoutMs: 10_000 });
  redis.on('error', () => undefined);
  try {
    if (!(await waitForReady(redis, 5000))) {
      process.stderr.write('audit export: Redis is not reachable (check REDIS_URL)\n');
      return 69;
    }
    const n = await exportAudit(redis, config.auditStreamKey, range, process.stdout);
    process.stderr.write(`audit export: ${n} entries from ${config.auditStreamKey}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`audit export failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
