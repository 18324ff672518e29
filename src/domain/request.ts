import { z } from 'zod';

/**
 * The life of an API-key change request. Pure: no Slack, Redis or HTTP here.
 *
 *   pending ──approve──▶ approved ──claim──▶ executing ──▶ done | failed
 *      │
 *      ├──deny──▶ denied
 *      └──expire──▶ expired
 */
export const OPERATIONS = ['create', 'update', 'delete', 'rotate'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const STATES = ['pending', 'approved', 'executing', 'done', 'failed', 'denied', 'expired'] as const;
export type RequestState = (typeof STATES)[number];

export const TERMINAL_STATES: readonly RequestState[] = ['done', 'failed', 'denied', 'expired'];

const TRANSITIONS: Record<RequestState, readonly RequestState[]> = {
  pending: ['approved', 'denied', 'expired'],
  approved: ['executing'],
  executing: ['done', 'failed'],
  done: [],
  failed: [],
  denied: [],
  expired: [],
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states a request must be in for a move to `to` to be legal. */
export function sourcesOf(to: RequestState): RequestState[] {
  return STATES.filter((from) => canTransition(from, to));
}

export function isTerminal(state: RequestState): boolean {
  return TERMINAL_STATES.includes(state);
}

export const userGroupRefSchema = z.object({ id: z.string(), name: z.string() });
export type UserGroupRef = z.infer<typeof userGroupRefSchema>;

/**
 * What a NextGen request is about (absent on FirstGen requests). A token acts with its service
 * account's permissions, so the service account is shown to approvers by name and identifier.
 */
export const nextGenTargetSchema = z.object({
  serviceAccount: z.object({ id: z.string(), name: z.string() }),
  /** The API key's identifier (derived from the key name on create). */
  apiKey: z.string(),
  /** The token's identifier; on create, the one the bot will give the new token. */
  token: z.string(),
  /** create/update: how long the token is valid, counted from the approval. */
  days: z.number().int().optional(),
  /** update/rotate/delete: the token's expiry as the bot knows it (epoch ms). */
  validTo: z.number().optional(),
  /** rotate: how long the old value keeps working after the rotation (ms; 0 = cut off at once). */
  graceMs: z.number().optional(),
  /** delete: one token, or the whole API key with all its tokens. */
  scope: z.enum(['token', 'key']).optional(),
});
export type NextGenTarget = z.infer<typeof nextGenTargetSchema>;

/** The one shape of a request; the store validates every read against it. */
export const requestSchema = z.object({
  id: z.string(),
  operation: z.enum(OPERATIONS),
  state: z.enum(STATES),
  version: z.number().int(),
  requesterId: z.string(),
  keyName: z.string(),
  /** Set for update/delete from the start, for create once Harness answers. */
  keyUuid: z.string().optional(),
  userGroups: z.array(userGroupRefSchema),
  reason: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  approverId: z.string().optional(),
  decidedAt: z.string().optional(),
  denyReason: z.string().optional(),
  error: z.string().optional(),
  /** Where the approval message was posted; absent until it has been. */
  approvalChannelId: z.string().optional(),
  approvalTs: z.string().optional(),
  previousName: z.string().optional(),
  previousUserGroups: z.array(userGroupRefSchema).optional(),
  nextgen: nextGenTargetSchema.optional(),
  /** NextGen create/rotate: until when the requester can reveal the new token's value (epoch ms). */
  revealUntil: z.number().optional(),
  /** Set just before Harness is called: without it, a crashed execution never reached Harness. */
  harnessCalledAt: z.string().optional(),
  /** Refreshed while an execution runs (or waits for Harness's budget), so it is not taken for crashed. */
  heartbeatAt: z.string().optional(),
  /** What a person should know about how the outcome was found (after a crash). */
  note: z.string().optional(),
});
export type ApiKeyRequest = z.infer<typeof requestSchema>;

/** Audit events, in the order a request can produce them. */
export const AUDIT_EVENTS = [
  'requested',
  'refused',
  'approved',
  'denied',
  'executed',
  'updated',
  'deleted',
  'rotated',
  'failed',
  'expired',
  'revealed',
  'reveal_expired',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** The audit event that records a successful Harness call for each operation. */
export const SUCCESS_EVENT: Record<Operation, AuditEventName> = { create: 'executed', update: 'updated', delete: 'deleted', rotate: 'rotated' };

/** Groups an update adds and removes; `undefined` previous means the current set is unknown. */
export function diffGroups(previous: readonly UserGroupRef[] | undefined, next: readonly UserGroupRef[]) {
  if (!previous) return undefined;
  const before = new Set(previous.map((g) => g.id));
  const after = new Set(next.map((g) => g.id));
  return {
    added: next.filter((g) => !before.has(g.id)),
    removed: previous.filter((g) => !after.has(g.id)),
    kept: next.filter((g) => before.has(g.id)),
  };
}
