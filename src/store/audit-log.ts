import type Redis from 'ioredis';
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
    redisKeys.auditIndex(stream, 'req', f.requestId),
    redisKeys.auditIndex(stream, 'user', f.actorId),
    redisKeys.auditIndex(stream, 'user', f.requesterId),
    redisKeys.auditIndex(stream, 'key', `name:${f.keyName}`),
  ];
  if (f.keyUuid) keys.push(redisKeys.auditIndex(stream, 'key', `uuid:${f.keyUuid}`));
  return [...new Set(keys)];
}

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
    return this.byIndex(redisKeys.auditIndex(this.streamKey, 'req', requestId), 1000, 'asc');
  }

  async byIndex(indexKey: string, limit: number, order: 'asc' | 'desc' = 'desc', sinceMs = 0): Promise<AuditEntry[]> {
    return guard(async () => {
      const ids =
        order === 'desc'
          ? await this.redis.zrevrangebyscore(indexKey, '+inf', sinceMs, 'LIMIT', 0, limit)
          : await this.redis.zrangebyscore(indexKey, sinceMs, '+inf', 'LIMIT', 0, limit);
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
    });
  }
}
