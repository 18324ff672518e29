import type Redis from 'ioredis';
import { z } from 'zod';
import { AppError } from '../errors';
import { OPERATIONS, STATES, isTerminal, sourcesOf, type ApiKeyRequest, type AuditEventName, type RequestState } from '../domain/request';
import { auditFieldsFor, auditIndexKeys, auditPairs, type AuditFields } from './audit-log';
import type { KeyRecord } from './key-registry';
import { redisKeys } from './keys';
import { CREATE_REQUEST, TRANSITION } from './lua';
import { guard } from './redis';

/**
 * Requests live in one Redis hash each. Every change goes through `transition`, a single Lua
 * compare-and-set that checks the current state (and the four-eyes rule), bumps the version and
 * appends the audit entry atomically: ten concurrent Approve clicks on any number of replicas
 * produce exactly one `approved`.
 */
const groupRef = z.object({ id: z.string(), name: z.string() });
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const stored = z.object({
  id: z.string(),
  operation: z.enum(OPERATIONS),
  state: z.enum(STATES),
  version: z.coerce.number().int(),
  requesterId: z.string(),
  keyName: z.string(),
  keyUuid: z.string().optional(),
  userGroups: jsonOf(z.array(groupRef)),
  reason: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  approverId: z.string().optional(),
  decidedAt: z.string().optional(),
  denyReason: z.string().optional(),
  error: z.string().optional(),
  approvalChannelId: z.string().optional(),
  approvalTs: z.string().optional(),
  previousName: z.string().optional(),
  previousUserGroups: jsonOf(z.array(groupRef)).optional(),
});

type Patch = Partial<Pick<ApiKeyRequest, 'keyUuid' | 'approverId' | 'decidedAt' | 'denyReason' | 'error' | 'approvalChannelId' | 'approvalTs'>>;

function toPairs(values: Record<string, unknown>): string[] {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    pairs.push(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return pairs;
}

export type TransitionResult =
  | { ok: true; request: ApiKeyRequest; audit?: AuditFields }
  | { ok: false; reason: 'NOT_FOUND' }
  | { ok: false; reason: 'SELF' }
  | { ok: false; reason: 'STATE'; state: RequestState; approverId?: string };

type ScriptFn = (numKeys: number, ...args: (string | number)[]) => Promise<string[]>;

export class RequestStore {
  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    redis.defineCommand('apikeyCreateRequest', { lua: CREATE_REQUEST });
    redis.defineCommand('apikeyTransition', { lua: TRANSITION });
  }

  private script(name: 'apikeyCreateRequest' | 'apikeyTransition'): ScriptFn {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[name]!;
    return fn.bind(this.redis);
  }

  /** Stores a new pending request and its `requested` audit entry in one step. */
  async create(
    request: ApiKeyRequest,
  ): Promise<{ ok: true; audit: AuditFields } | { ok: false; reason: 'NAME_TAKEN' } | { ok: false; reason: 'KEY_BUSY'; holder: string }> {
    const audit = auditFieldsFor(request, 'requested', request.requesterId, new Date(request.createdAt));
    const keys = [
      redisKeys.request(request.id),
      redisKeys.openRequests,
      redisKeys.pendingNames,
      redisKeys.registryNames,
      redisKeys.pendingKeys,
      redisKeys.requestsOf(request.requesterId),
      this.streamKey,
      ...auditIndexKeys(this.streamKey, audit),
    ];
    // A create reserves its name; an update reserves the new name when it changes; a delete none.
    const reserve = request.operation === 'delete' || request.keyName === request.previousName ? '' : request.keyName;
    // An update or delete holds its key, so two open changes to one key cannot race.
    const holdKey = request.operation === 'create' ? '' : (request.keyUuid ?? '');
    const [status, holder] = await guard(() =>
      this.script('apikeyCreateRequest')(
        keys.length,
        ...keys,
        request.id,
        reserve,
        Date.parse(request.createdAt),
        JSON.stringify(toPairs({ ...request })),
        auditPairs(audit),
        holdKey,
      ),
    );
    if (status === 'NAME_TAKEN') return { ok: false, reason: 'NAME_TAKEN' };
    if (status === 'KEY_BUSY') return { ok: false, reason: 'KEY_BUSY', holder: holder ?? '' };
    if (status !== 'OK') throw new AppError('STORE_UNAVAILABLE', `Request ${request.id} could not be stored (${status}).`);
    return { ok: true, audit };
  }

  async get(id: string): Promise<ApiKeyRequest | undefined> {
    const raw = await guard(() => this.redis.hgetall(redisKeys.request(id)));
    if (Object.keys(raw).length === 0) return undefined;
    const parsed = stored.safeParse(raw);
    if (!parsed.success) throw new AppError('STORE_UNAVAILABLE', `Request ${id} is unreadable in Redis.`, { cause: parsed.error });
    return parsed.data;
  }

  /** The newest requests of one requester, newest first. */
  async recentOf(userId: string, limit = 20): Promise<ApiKeyRequest[]> {
    const ids = await guard(() => this.redis.zrevrange(redisKeys.requestsOf(userId), 0, limit - 1));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((r): r is ApiKeyRequest => r !== undefined);
  }

  /** Open (non-terminal) request ids, oldest first. */
  async openIds(limit = 1000): Promise<string[]> {
    return guard(() => this.redis.zrange(redisKeys.openRequests, 0, limit - 1));
  }

  /** Fields that change no state and need no audit line (where the approval message lives). */
  async annotate(id: string, patch: Patch): Promise<void> {
    const pairs = toPairs(patch);
    if (pairs.length > 0) await guard(() => this.redis.hset(redisKeys.request(id), ...pairs));
  }

  /**
   * Moves a request to `to` if, and only if, it is in a state from which that move is legal.
   * `audit` names the event written in the same atomic step; `registry` records the key.
   */
  async transition(
    request: ApiKeyRequest,
    to: RequestState,
    options: {
      actorId: string;
      forbidSelf?: boolean;
      patch?: Patch;
      audit?: { event: AuditEventName; detail?: string };
      registry?: { record: KeyRecord; previousName?: string };
    },
  ): Promise<TransitionResult> {
    const at = this.now();
    const patch: Patch & { updatedAt: string } = { ...options.patch, updatedAt: at.toISOString() };
    const next: ApiKeyRequest = { ...request, ...patch, state: to };
    const audit = options.audit
      ? auditFieldsFor(next, options.audit.event, options.actorId, at, { detail: options.audit.detail })
      : undefined;
    const keys = [
      redisKeys.request(request.id),
      redisKeys.openRequests,
      redisKeys.pendingNames,
      redisKeys.registry,
      redisKeys.registryNames,
      redisKeys.pendingKeys,
      this.streamKey,
      ...(audit ? auditIndexKeys(this.streamKey, audit) : []),
    ];
    const reg = options.registry;
    const reply = await guard(() =>
      this.script('apikeyTransition')(
        keys.length,
        ...keys,
        sourcesOf(to).join(','),
        to,
        options.actorId,
        options.forbidSelf ? '1' : '0',
        isTerminal(to) ? '1' : '0',
        JSON.stringify(toPairs(patch)),
        audit ? auditPairs(audit) : '',
        reg ? reg.record.uuid : '',
        reg ? JSON.stringify(reg.record) : '',
        reg && !reg.record.deletedAt ? reg.record.name : '',
        reg ? (reg.previousName ?? (reg.record.deletedAt ? reg.record.name : '')) : '',
      ),
    );
    const [status, a, b] = reply;
    if (status === 'OK') return { ok: true, request: { ...next, version: Number(a) }, audit };
    if (status === 'NOT_FOUND') return { ok: false, reason: 'NOT_FOUND' };
    if (status === 'SELF') return { ok: false, reason: 'SELF' };
    return { ok: false, reason: 'STATE', state: a as RequestState, approverId: b || undefined };
  }
}
