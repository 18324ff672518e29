import type Redis from 'ioredis';
import { AUDIT_FIELD_ORDER, type AuditEntry, type AuditFields } from '../domain/audit';
import type { AuditTarget } from '../domain/audit-query';
import { AuditChain, chainKeys } from './audit-chain';
import { redisKeys } from './keys';
import { AUDIT_ONLY, AUDIT_PAGE } from './lua';
import { guard, script } from './redis';

/**
 * The audit trail: an append-only Redis Stream, one flat entry per event (field order from
 * domain/audit.ts). Secondary indexes (sorted sets) find the events of one request, person or
 * key without scanning the stream. Every entry is hash-chained to the one before (audit-chain.ts).
 */
export function auditPairs(fields: AuditFields): string[] {
  const pairs: string[] = [];
  for (const k of AUDIT_FIELD_ORDER) {
    const v = fields[k];
    if (v !== undefined) pairs.push(k, v);
  }
  return pairs;
}

/** The secondary indexes an entry is filed under: its request, each person involved, its key. */
export function auditIndexKeys(stream: string, f: AuditFields): string[] {
  const keys = [
    f.requestId && redisKeys.auditIndex(stream, 'req', f.requestId),
    f.actorId && redisKeys.auditIndex(stream, 'user', f.actorId),
    f.requesterId && redisKeys.auditIndex(stream, 'user', f.requesterId),
    f.keyName && redisKeys.auditIndex(stream, 'key', `name:${f.keyName}`),
    f.previousName && redisKeys.auditIndex(stream, 'key', `name:${f.previousName}`),
    f.keyUuid && redisKeys.auditIndex(stream, 'key', `uuid:${f.keyUuid}`),
  ];
  return [...new Set(keys.filter((k): k is string => Boolean(k)))];
}

function indexesFor(stream: string, target: AuditTarget): string[] {
  switch (target.kind) {
    case 'all':
      return [];
    case 'user':
      return [redisKeys.auditIndex(stream, 'user', target.userId)];
    case 'request':
      return [redisKeys.auditIndex(stream, 'req', target.requestId)];
    case 'key':
      return [redisKeys.auditIndex(stream, 'key', `name:${target.key}`), redisKeys.auditIndex(stream, 'key', `uuid:${target.key}`)];
  }
}

export function parseEntry(id: string, flat: string[]): AuditEntry {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return { id, ...(record as unknown as AuditFields) };
}

export class AuditLog {
  private readonly auditOnly;
  private readonly auditPage;
  private readonly chain: AuditChain;

  constructor(
    private readonly redis: Redis,
    readonly streamKey: string,
    private readonly mirrored: boolean,
    options: { hmacKey?: string } = {},
  ) {
    this.auditOnly = script(redis, 'apikeyAuditOnly', AUDIT_ONLY);
    this.auditPage = script(redis, 'apikeyAuditPage', AUDIT_PAGE);
    this.chain = AuditChain.for(redis, streamKey, options.hmacKey);
  }

  /** Appends one entry that changes no state (a refused attempt), owing its mirror to the audit channel. */
  async append(fields: AuditFields, options: { mirror?: boolean } = {}): Promise<string> {
    const subject = fields.requestId || '-';
    const mirror = this.mirrored && options.mirror !== false;
    const keys = [this.streamKey, redisKeys.outbox(subject), redisKeys.outboxIndex, chainKeys.head(this.streamKey), ...auditIndexKeys(this.streamKey, fields)];
    const { result } = await this.chain.append(() => fields, async (chained, chain) => {
      return (await this.auditOnly(keys, { audit: auditPairs(chained), chain, subject, mirror, nowMs: Date.now() })) as string[];
    });
    return String(result[1]);
  }

  async entry(id: string): Promise<AuditEntry | undefined> {
    const rows = await guard(() => this.redis.xrange(this.streamKey, id, id));
    const row = rows[0];
    return row ? parseEntry(row[0], row[1]) : undefined;
  }

  /** All entries of one request, oldest first. */
  async forRequest(requestId: string): Promise<AuditEntry[]> {
    const page = await this.eventsOf({ kind: 'request', requestId }, { limit: 1000 });
    return page.entries.reverse();
  }

  /**
   * The events of a key, a person, a request, or all: newest first, a page at a time. `before`
   * is the exclusive stream id to continue from. One round trip (the AUDIT_PAGE script merges the
   * indexes and reads the entries); cost O(log N + page), however long the stream.
   */
  async eventsOf(target: AuditTarget, options: { limit: number; before?: string; sinceMs?: number }): Promise<{ entries: AuditEntry[]; next?: string }> {
    const { limit, before, sinceMs = 0 } = options;
    const indexKeys = indexesFor(this.streamKey, target);
    if (indexKeys.length === 0) {
      const rows = await guard(() => this.redis.xrevrange(this.streamKey, before ? `(${before}` : '+', `${sinceMs}-0`, 'COUNT', limit + 1));
      const entries = rows.slice(0, limit).map(([id, flat]) => parseEntry(id, flat));
      return { entries, next: rows.length > limit ? entries[entries.length - 1]?.id : undefined };
    }
    const page = JSON.parse(String(await this.auditPage([this.streamKey, ...indexKeys], { limit, before, sinceMs }))) as { entries: [string, string[]][] | Record<string, never>; next: string | false };
    const rows = Array.isArray(page.entries) ? page.entries : []; // Lua's JSON writes an empty list as {}
    return { entries: rows.map(([id, flat]) => parseEntry(id, flat)), next: page.next || undefined };
  }
}
