import type Redis from 'ioredis';
import { compareStreamIds } from '../domain/audit-query';
import { chainKeys, chainSnapshot, parseCheckpoint, sameHex, signCheckpoint, type AuditCheckpoint } from './audit-chain';
import { ChainWalker, type Flag } from './audit-chain-walker';
import { guard } from './redis';

/**
 * Walks the audit stream oldest first, a page at a time, and judges it against the hash chain
 * (audit-chain-walker.ts) and the checkpoints (README "Audit trail integrity" has the
 * classification).
 */
export type VerdictKind = 'changed' | 'removed' | 'inserted' | 'reordered' | 'checkpoint';
export interface Verdict {
  kind: VerdictKind;
  /** The stream id the verdict is about ('' when it names none). */
  id: string;
  message: string;
}

export interface VerifyReport {
  keyed: boolean;
  entries: number;
  unchained: number;
  unchainedRange?: [string, string];
  chained: number;
  /** Chained entries whose hash matches and that follow their predecessor. */
  valid: number;
  /** Keyed verification only: entries hashed without the key, before the first keyed one. */
  unkeyed: number;
  checkpoints: number;
  checkpointsValid: number;
  unsignedCheckpoints: number;
  problems: number;
  /** The first problem of each kind, by stream id. */
  first: Partial<Record<VerdictKind, string>>;
  head?: { id: string; hash: string };
}

/** The trail cannot be judged with what was given (a keyed trail without the key). */
export class VerifyUsageError extends Error {}

/** Checks each checkpoint's signature; returns those whose claims are trusted, oldest last id first. */
function readCheckpoints(raw: string[], report: VerifyReport, flag: Flag, key?: string): AuditCheckpoint[] {
  const trusted: AuditCheckpoint[] = [];
  let signedSeen = false;
  raw.forEach((text, n) => {
    const c = parseCheckpoint(text);
    report.checkpoints++;
    if (!c) return flag('checkpoint', '', `checkpoint #${n + 1} is unreadable`);
    if (c.signature && !key) throw new VerifyUsageError('the checkpoints are HMAC-signed: set AUDIT_HMAC_KEY to verify this trail');
    if (key && c.signature) {
      if (!sameHex(signCheckpoint(c, key), c.signature)) return flag('checkpoint', c.lastId, `checkpoint of ${c.at}: the signature does not match (forged or altered)`);
      signedSeen = true;
    } else if (key) {
      if (signedSeen) return flag('checkpoint', c.lastId, `checkpoint of ${c.at} is unsigned after signed ones (forged)`);
      report.unsignedCheckpoints++;
    }
    trusted.push(c);
  });
  return trusted.sort((a, b) => compareStreamIds(a.lastId, b.lastId));
}

export async function verifyTrail(redis: Redis, stream: string, options: { hmacKey?: string; onVerdict?: (v: Verdict) => void; pageSize?: number } = {}): Promise<VerifyReport> {
  const key = options.hmacKey;
  const report: VerifyReport = { keyed: Boolean(key), entries: 0, unchained: 0, chained: 0, valid: 0, unkeyed: 0, checkpoints: 0, checkpointsValid: 0, unsignedCheckpoints: 0, problems: 0, first: {} };
  const flag: Flag = (kind, id, message) => {
    report.problems++;
    const first = report.first[kind];
    if (id && (!first || compareStreamIds(id, first) < 0)) report.first[kind] = id;
    options.onVerdict?.({ kind, id, message });
  };
  // Checkpoints first: one recorded after the snapshot could name entries the walk will not reach.
  const checkpoints = readCheckpoints(await guard(() => redis.lrange(chainKeys.checkpoints(stream), 0, -1)), report, flag, key);
  // Entries appended while we walk are left for the next run: the walk ends at the snapshot.
  const snap = await chainSnapshot(redis, stream);
  const walker = new ChainWalker(report, flag, snap.head, key);
  const missing = (c: AuditCheckpoint, why: string) => flag('removed', c.lastId, `checkpoint of ${c.at} names entry ${c.lastId}, ${why}`);
  let cp = 0;
  for (let start = '-'; snap.lastId; ) {
    const rows = await guard(() => redis.xrange(stream, start, snap.lastId!, 'COUNT', options.pageSize ?? 1000));
    if (rows.length === 0) break;
    for (const [id, flat] of rows) {
      for (; cp < checkpoints.length && compareStreamIds(checkpoints[cp]!.lastId, id) < 0; cp++) missing(checkpoints[cp]!, 'which is not in the trail');
      const position = ++report.entries;
      const hash = walker.add(id, flat);
      for (; cp < checkpoints.length && checkpoints[cp]!.lastId === id; cp++) {
        const c = checkpoints[cp]!;
        if (position !== c.length) {
          const kind = position < c.length ? 'removed' : 'inserted';
          flag(kind, id, `checkpoint of ${c.at} counted ${c.length} entries up to ${id}; the trail now has ${position}: entries were ${kind}`);
        } else if (hash !== c.headHash) {
          flag('changed', id, `entry ${id} has hash ${hash || '(none)'}, the checkpoint of ${c.at} recorded ${c.headHash || '(none)'}: the trail up to it was rewritten`);
        } else report.checkpointsValid++;
      }
    }
    start = `(${rows[rows.length - 1]![0]}`;
  }
  for (; cp < checkpoints.length; cp++) missing(checkpoints[cp]!, 'but the trail ends before it: its newest entries were removed');
  walker.finish();
  const last = walker.lastSlot;
  if (last && snap.head === last.hash) report.head = { id: last.id, hash: last.hash };
  else if (last && snap.head === undefined) flag('removed', last.id, `the chain head (${chainKeys.head(stream)}) is missing: whether newer entries were removed cannot be told`);
  else if (!last && snap.head !== undefined) flag('removed', snap.lastId ?? '', 'the chain head is set but no entry is chained: chained entries were removed or stripped');
  else if (last && walker.headAt) flag('inserted', walker.afterHead ?? last.id, `the chain head is entry ${walker.headAt}: the entries after it were added outside the bot`);
  else if (last) flag('removed', last.id, `the chain head names an entry that is not in the trail: the newest entries (after ${last.id}) were removed or rewritten`);
  return report;
}
