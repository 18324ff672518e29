import { z } from 'zod';
import { AUDIT_EVENTS, type ApiKeyRequest, type AuditEventName } from './request';

/**
 * One audit entry, flat. Other tools read the audit stream (README "Audit stream format"), so
 * field names are a contract: add, never rename. The stream's field order is this schema's order.
 */
export const auditFieldsSchema = z.object({
  event: z.enum(AUDIT_EVENTS),
  requestId: z.string(),
  operation: z.string(),
  actorId: z.string(),
  requesterId: z.string(),
  keyName: z.string(),
  keyUuid: z.string(),
  /** Comma-separated Harness user group ids. */
  userGroupIds: z.string(),
  reason: z.string(),
  /** ISO 8601, UTC. */
  at: z.string(),
  detail: z.string().optional(),
  previousName: z.string().optional(),
  previousUserGroupIds: z.string().optional(),
  /** NextGen: the service account whose permissions the token carries (identifier). */
  serviceAccount: z.string().optional(),
  /** The hash chain (store/audit-chain.ts): the previous entry's `hash`, and this entry's. */
  prevHash: z.string().optional(),
  hash: z.string().optional(),
});
export type AuditFields = z.infer<typeof auditFieldsSchema>;

export const AUDIT_FIELD_ORDER = Object.keys(auditFieldsSchema.shape) as (keyof AuditFields)[];

export interface AuditEntry extends AuditFields {
  /** The stream entry id (`<ms>-<seq>`). */
  id: string;
}

export function auditFieldsFor(
  request: ApiKeyRequest,
  event: AuditEventName,
  actorId: string,
  at: Date,
  extra: { detail?: string } = {},
): AuditFields {
  const fields: AuditFields = {
    event,
    requestId: request.id,
    operation: request.operation,
    actorId,
    requesterId: request.requesterId,
    keyName: request.keyName,
    keyUuid: request.keyUuid ?? '',
    userGroupIds: request.userGroups.map((g) => g.id).join(','),
    reason: request.reason,
    at: at.toISOString(),
  };
  if (extra.detail) fields.detail = extra.detail;
  if (request.previousName !== undefined) fields.previousName = request.previousName;
  if (request.previousUserGroups) fields.previousUserGroupIds = request.previousUserGroups.map((g) => g.id).join(',');
  if (request.nextgen) fields.serviceAccount = request.nextgen.serviceAccount.id;
  return fields;
}

/** An event that belongs to no request (a refused audit review): the fields a request would fill stay empty. */
export function standaloneAuditFields(event: AuditEventName, operation: string, actorId: string, at: Date, detail: string): AuditFields {
  return { event, requestId: '', operation, actorId, requesterId: '', keyName: '', keyUuid: '', userGroupIds: '', reason: '', at: at.toISOString(), detail };
}
