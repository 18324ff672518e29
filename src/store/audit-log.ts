import type Redis from 'ioredis';
import { compareStreamIds } from '../domain/audit-query';
import type { ApiKeyRequest, AuditEventName } from '../domain/request';
import { redisKeys } from './keys';
import { AUDIT_ONLY } from './lua';
import { guard } from './redis';

/**
 * The audit trail: an append-only Redis Stream, one flat entry per event. Other tools read this
 * stream (see README "Audit stream format"), so field names are a contract: add, never rename.
 */
export interface AuditFields {
  event: AuditEventName;
  requestId: string;
  operation: string;
  actorId: string;
  requesterId: string;
  keyName: string;
  keyUuid: string;
  /** Comma-separated Harness user group ids. */
  userGroupIds: string;
  reason: string;
  /** ISO 8601, UTC. */
  at: string;
  detail?: string;
  previousName?: string;
  previousUserGroupIds?: string;
}

export interface AuditEntry extends AuditFields {
  /** The stream entry id (`<ms>-<seq>`). */
  id: string;
}

const FIELD_ORDER: (keyof AuditFields)[] = [
  'event',
  'requestId',
  'operation',
  'actorId',
  'requesterId',
  'keyName',
  'keyUuid',
  'userGroupIds',
  'reason',
  'at',
  'detail',
  'previousName',
  'previousUserGroupIds',
];

export function auditFieldsFor(
  request: ApiKeyRequest,
  event: AuditEventName,
  actorId: string,
  at: Date,
  extra: { keyUuid?: string; detail?: string } = {},
): AuditFields {
  const fields: AuditFields = {
    event,
    requestId: request.id,
    operation: request.operation,
    actorId,
    requesterId: request.requesterId,
    keyName: request.keyName,
    keyUuid: extra.keyUuid ?? request.keyUuid ?? '',
    userGroupIds: request.userGroups.map((g) => g.id).join(','),
    reason: request.reason,
    at: at.toISOString(),
  };
  if (extra.detail) fields.detail = extra.detail;
  if (request.previousName !== undefined) fields.previousName = request.previousName;
  if (request.previousUserGroups) fields.previousUserGroupIds = request.previousUserGroups.map((g) => g.id).join(',');
  return fields;
}

export function auditPairs(fields: AuditFields): string {
  const pairs: string[] = [];
  for (const k of FIELD_ORDER) {
    const v = fields[k];
    if (v !== undefined) pairs.push(k, v);
  }
  return JSON.stringify(pairs);
}

/** The secondary indexes an entry is filed under: its request, each person involved, its key. */
export function auditIndexKeys(stream: string, f: AuditFields): string[] {
  const keys = [
    f.requestId && redisKeys.auditIndex(stream, 'req', f.requestId),
    f.actorId && redisKeys.auditIndex(stream, 'user', f.actorId),
    f.requesterId && redisKeys.auditIndex(stream, 'user', f.requesterId),
    f.keyName && keyNameIndex(stream, f.keyName),
    f.previousName && keyNameIndex(stream, f.previousName),
    f.keyUuid && keyUuidIndex(stream, f.keyUuid),
  ];
  return [...new Set(keys.filter((k): k is string => Boolean(k)))];
}

export const keyNameIndex = (stream: string, name: string) => redisKeys.auditIndex(stream, 'key', `name:${name}`);
export const keyUuidIndex = (stream: string, uuid: string) => redisKeys.auditIndex(stream, 'key', `uuid:${uuid}`);
export const userIndex = (stream: string, userId: string) => redisKeys.auditIndex(stream, 'user', userId);
export const requestIndex = (stream: string, requestId: string) => redisKeys.auditIndex(stream, 'req', requestId);

export function parseEntry(id: string, flat: string[]): AuditEntry {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return { id, ...(record as unknown as AuditFields) };
}

export class AuditLog {
  constructor(
    private readonly redis: Redis,
    readonly streamKey: string,
  ) {
    redis.defineCommand('apikeyAuditOnly', { lua: AUDIT_ONLY });
  }

  /** Appends one entry (for events that change no request state, such as a refused click). */
  async append(fields: AuditFields): Promise<string> {
    const keys = [this.streamKey, ...auditIndexKeys(this.streamKey, fields)];
    return guard(async () => {
      const cmd = (this.redis as unknown as { apikeyAuditOnly: (n: number, ...a: string[]) => Promise<string> }).apikeyAuditOnly;
      return cmd.call(this.redis, keys.length, ...keys, auditPairs(fields));
    });
  }

  /** Newest first. `before` is an exclusive entry id to page from. */
  async recent(count: number, before?: string): Promise<AuditEntry[]> {
    return guard(async () => {
      const rows = await this.redis.xrevrange(this.streamKey, before ? `(${before}` : '+', '-', 'COUNT', count);
      return rows.map(([id, flat]) => parseEntry(id, flat));
    });
  }

  /** All entries of one request, oldest first (uses the per-request index). */
  async forRequest(requestId: string): Promise<AuditEntry[]> {
    const page = await this.page([requestIndex(this.streamKey, requestId)], { limit: 1000 });
    return page.entries.reverse();
  }

  /**
   * Newest-first page over the union of some indexes, or over the whole stream when `indexKeys`
   * is empty. `before` is the exclusive stream id to continue from. Cost: O(log N + page) per
   * index, however long the stream is.
   */
  async page(
    indexKeys: string[],
    options: { limit: number; before?: string; sinceMs?: number },
  ): Promise<{ entries: AuditEntry[]; next?: string }> {
    const { limit, before, sinceMs = 0 } = options;
    return guard(async () => {
      if (indexKeys.length === 0) {
        const rows = await this.redis.xrevrange(this.streamKey, before ? `(${before}` : '+', `${sinceMs}-0`, 'COUNT', limit + 1);
        const entries = rows.slice(0, limit).map(([id, flat]) => parseEntry(id, flat));
        return { entries, next: rows.length > limit ? entries[entries.length - 1]?.id : undefined };
      }
      const maxScore = before ? before.split('-')[0]! : '+inf';
      // Entries sharing the cursor's millisecond are re-read and filtered, hence the slack.
      const lists = await Promise.all(
        indexKeys.map((k) => this.redis.zrevrangebyscore(k, maxScore, sinceMs, 'LIMIT', 0, limit + 32)),
      );
      const ids = [...new Set(lists.flat())]
        .filter((id) => !before || compareStreamIds(id, before) < 0)
        .sort((a, b) => compareStreamIds(b, a));
      const wanted = ids.slice(0, limit);
      const entries = await this.read(wanted);
      return { entries, next: ids.length > limit ? wanted[wanted.length - 1] : undefined };
    });
  }

  private async read(ids: string[]): Promise<AuditEntry[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xrange(this.streamKey, id, id);
    const results = (await pipeline.exec()) ?? [];
    const entries: AuditEntry[] = [];
    for (const [err, rows] of results) {
      if (err) throw err;
      const row = (rows as [string, string[]][])[0];
      if (row) entries.push(parseEntry(row[0], row[1]));
    }
    return entries;
  }
}
