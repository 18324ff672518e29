import type Redis from 'ioredis';
import { auditFieldsFor, type AuditFields } from '../domain/audit';
import type { KeyRecord } from '../domain/key-record';
import { owedFor } from '../domain/notifications';
import { isTerminal, requestSchema, sourcesOf, type ApiKeyRequest, type AuditEventName, type RequestState } from '../domain/request';
import { AppError } from '../errors';
import { AuditChain, chainKeys, type ChainArgs } from './audit-chain';
import { auditIndexKeys, auditPairs } from './audit-log';
import { redisKeys } from './keys';
import { CREATE_REQUEST, TRANSITION } from './lua';
import type { Line } from './harness-budget';
import { guard, script } from './redis';

/**
 * Requests live in one Redis hash each. Every change goes through `transition`, a single Lua
 * compare-and-set that checks the current state (and the four-eyes rule), bumps the version,
 * appends the audit entry and records the notifications owed, atomically: ten concurrent Approve
 * clicks on any number of replicas produce exactly one `approved`. Audit entries are hash-chained
 * (audit-chain.ts): a script that finds the chain head moved writes nothing and is run again.
 */
const JSON_FIELDS = new Set(['userGroups', 'previousUserGroups', 'nextgen']);
const NUMBER_FIELDS = new Set(['version', 'revealUntil']);

function toPairs(values: Record<string, unknown>): string[] {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    pairs.push(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return pairs;
}

function fromHash(id: string, raw: Record<string, string>): ApiKeyRequest {
  const values: Record<string, unknown> = {};
  try {
    for (const [k, v] of Object.entries(raw)) values[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : NUMBER_FIELDS.has(k) ? Number(v) : v;
  } catch (err) {
    throw new AppError('STORE_CORRUPT', `Request ${id} is unreadable in Redis.`, { cause: err });
  }
  const parsed = requestSchema.safeParse(values);
  if (!parsed.success) throw new AppError('STORE_CORRUPT', `Request ${id} is unreadable in Redis.`, { cause: parsed.error });
  return parsed.data;
}

type Patch = Partial<Pick<ApiKeyRequest, 'keyUuid' | 'approverId' | 'denyReason' | 'error' | 'revealUntil' | 'note'>>;

export type TransitionResult =
  | { ok: true; request: ApiKeyRequest; audit?: AuditFields }
  | { ok: false; reason: 'NOT_FOUND' }
  | { ok: false; reason: 'SELF' }
  | { ok: false; reason: 'STATE'; state: RequestState; approverId?: string };

export interface TransitionOptions {
  actorId: string;
  forbidSelf?: boolean;
  patch?: Patch;
  /** A decision: `decidedAt` is stamped with the time of the attempt that lands. */
  decision?: boolean;
  audit?: { event: AuditEventName; detail?: string };
  registry?: { record: KeyRecord; previousName?: string };
}

export class RequestStore {
  private readonly createScript;
  private readonly transitionScript;
  private readonly chain: AuditChain;
  private readonly line?: Line;

  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    /** Whether audit entries owe a mirror to an audit channel. */
    private readonly mirrored: boolean,
    private readonly now: () => Date = () => new Date(),
    /** `line`: the Harness queue, where an approval takes its place in the step that records it. */
    options: { hmacKey?: string; line?: Line } = {},
  ) {
    this.line = options.line;
    this.createScript = script(redis, 'apikeyCreateRequest', CREATE_REQUEST);
    this.transitionScript = script(redis, 'apikeyTransition', TRANSITION);
    this.chain = AuditChain.for(redis, streamKey, options.hmacKey);
  }

  /** Stores a new pending request, its `requested` audit entry and the notifications it owes, in one step. */
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
      redisKeys.outbox(request.id),
      redisKeys.outboxIndex,
      chainKeys.head(this.streamKey),
      ...auditIndexKeys(this.streamKey, audit),
    ];
    const args = {
      id: request.id,
      // A FirstGen create reserves its name; an update the new name when it changes; a delete none.
      // NextGen names need not be unique (a create under a known key name adds a token to it).
      reserveName: request.nextgen || request.operation === 'delete' || request.keyName === request.previousName ? '' : request.keyName,
      // An update or delete holds its key, so two open changes to one key cannot race.
      holdKey: request.operation === 'create' ? '' : (request.keyUuid ?? ''),
      nowMs: Date.parse(request.createdAt),
      fields: toPairs({ ...request }),
      outbox: owedFor('pending').map((n) => JSON.stringify(n)),
      mirror: this.mirrored,
    };
    const { result, fields } = await this.chain.append(
      () => audit,
      async (chained, chain) => (await this.createScript(keys, { ...args, audit: auditPairs(chained), chain })) as string[],
    );
    const [status, holder] = result;
    if (status === 'NAME_TAKEN') return { ok: false, reason: 'NAME_TAKEN' };
    if (status === 'KEY_BUSY') return { ok: false, reason: 'KEY_BUSY', holder: holder ?? '' };
    if (status !== 'OK') throw new AppError('STORE_CORRUPT', `Request ${request.id} could not be stored (${String(status)}).`);
    return { ok: true, audit: fields };
  }

  async get(id: string): Promise<ApiKeyRequest | undefined> {
    const raw = await guard(() => this.redis.hgetall(redisKeys.request(id)));
    return Object.keys(raw).length === 0 ? undefined : fromHash(id, raw);
  }

  /** The newest requests of one requester, newest first. */
  async recentOf(userId: string, limit = 20): Promise<ApiKeyRequest[]> {
    const ids = await guard(() => this.redis.zrevrange(redisKeys.requestsOf(userId), 0, limit - 1));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((r): r is ApiKeyRequest => r !== undefined);
  }

  /** Open (non-terminal) request ids, oldest first. */
  async openIds(limit = 1000, offset = 0): Promise<string[]> {
    return guard(() => this.redis.zrange(redisKeys.openRequests, offset, offset + limit - 1));
  }

  /** One replica at a time recovers a request left executing; the claim lapses after `ttlMs`. */
  async claimRecovery(id: string, ttlMs: number): Promise<boolean> {
    return (await guard(() => this.redis.set(`apikey:recovering:${id}`, String(process.pid), 'PX', ttlMs, 'NX'))) === 'OK';
  }

  /** Marks of an execution under way (no state change, no audit line): Harness called, still alive. */
  async markExecution(id: string, marks: Pick<ApiKeyRequest, 'harnessCalledAt' | 'heartbeatAt'>): Promise<void> {
    const pairs = toPairs(marks);
    if (pairs.length > 0) await guard(() => this.redis.hset(redisKeys.request(id), ...pairs));
  }

  /** Where the approval message is: recorded before anything else once Slack answers the post. */
  async recordApprovalMessage(id: string, channelId: string, ts: string): Promise<void> {
    await guard(() => this.redis.hset(redisKeys.request(id), 'approvalChannelId', channelId, 'approvalTs', ts));
  }

  /**
   * Moves a request to `to` if, and only if, it is in a state from which that move is legal.
   * `audit` names the event written in the same atomic step; `registry` records the key; the
   * notifications the new state owes (domain/notifications.ts) are recorded with it. The change
   * is stamped (`updatedAt`, the entry's `at`, and `decidedAt` for a decision) with the time of
   * the attempt that lands, so stamps follow the order in which changes land.
   */
  async transition(request: ApiKeyRequest, to: RequestState, options: TransitionOptions): Promise<TransitionResult> {
    const stamped = (at: string) => ({ ...options.patch, ...(options.decision ? { decidedAt: at } : {}), updatedAt: at });
    const { audit } = options;
    const entry = audit && (() => auditFieldsFor({ ...request, ...options.patch, state: to }, audit.event, options.actorId, this.now(), { detail: audit.detail }));
    // An approval takes its place in Harness's queue; an end (done, failed, ...) leaves it, even
    // one that never reached its turn.
    const line = (to === 'approved' && entry) || isTerminal(to) ? this.line : undefined;
    const keys = [
      redisKeys.request(request.id),
      redisKeys.openRequests,
      redisKeys.pendingNames,
      redisKeys.registry,
      redisKeys.registryNames,
      redisKeys.pendingKeys,
      this.streamKey,
      redisKeys.outbox(request.id),
      redisKeys.outboxIndex,
      chainKeys.head(this.streamKey),
      ...(line ? [line.queue, line.lease] : []),
      ...(entry ? auditIndexKeys(this.streamKey, entry()) : []),
    ];
    const reg = options.registry;
    const args = {
      from: sourcesOf(to),
      to,
      actorId: options.actorId,
      forbidSelf: Boolean(options.forbidSelf),
      terminal: isTerminal(to),
      // Only FirstGen key names are unique (and indexed); NextGen tokens may share a key's name.
      registry: reg
        ? {
            uuid: reg.record.uuid,
            record: JSON.stringify(reg.record),
            name: reg.record.deletedAt || reg.record.nextgen ? '' : reg.record.name,
            previousName: reg.record.nextgen ? '' : (reg.previousName ?? (reg.record.deletedAt ? reg.record.name : '')),
          }
        : false,
      outbox: owedFor(to).map((n) => JSON.stringify(n)),
      mirror: this.mirrored && Boolean(audit),
    };
    let next = request;
    const run = async (chained: AuditFields | undefined, chain: ChainArgs | false) => {
      const at = chained?.at ?? this.now().toISOString();
      const changes = stamped(at);
      next = { ...request, ...changes, state: to };
      // The lease is judged by the budget's clock (Date.now()), whatever clock stamps the change.
      const inLine = line ? { leaseUntil: Date.now() + line.leaseMs } : false;
      return (await this.transitionScript(keys, { ...args, patch: toPairs(changes), nowMs: Date.parse(at), line: inLine, audit: chained ? auditPairs(chained) : false, chain })) as string[];
    };
    const { result, fields } = entry ? await this.chain.append(entry, run) : { result: await run(undefined, false), fields: undefined };
    const [status, a, b] = result;
    if (status === 'OK') return { ok: true, request: { ...next, version: Number(a) }, audit: fields };
    if (status === 'NOT_FOUND') return { ok: false, reason: 'NOT_FOUND' };
    if (status === 'SELF') return { ok: false, reason: 'SELF' };
    return { ok: false, reason: 'STATE', state: a as RequestState, approverId: b || undefined };
  }
}
