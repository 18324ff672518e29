import type { ApiKeyRequest } from '../../domain/request';
import type { AuditFields } from '../../domain/audit';
import { COMMAND } from '../ids';
import { escapeMrkdwn, groupList, mention, truncate } from './format';

/** Plain messages: DMs to the requester, ephemeral replies, the audit channel's lines. */

const name = (r: ApiKeyRequest) => (r.keyName ? `*${escapeMrkdwn(truncate(r.keyName, 200))}*` : `\`${r.keyUuid ?? ''}\``);

export function pendingDm(r: ApiKeyRequest): string {
  return `Your request \`${r.id}\` to ${r.operation} the Harness API key ${name(r)} is waiting for an approver. Nothing changes in Harness until it is approved.`;
}

export function doneDm(r: ApiKeyRequest): string {
  if (r.operation === 'delete') {
    return `Approved by ${mention(r.approverId ?? '')}: the Harness API key ${name(r)} (\`${r.keyUuid ?? ''}\`) was deleted. It no longer works.`;
  }
  return [
    `Approved by ${mention(r.approverId ?? '')}: the Harness API key ${name(r)} was ${r.operation === 'create' ? 'created' : 'updated'}.`,
    `• uuid: \`${r.keyUuid ?? ''}\``,
    `• user groups: ${groupList(r.userGroups)}`,
    'Harness never returns the key value through its API, so the bot never sees it: reveal and copy it in Harness under *Account Settings → Access Management → API Keys*, and store it in your secret manager.',
  ].join('\n');
}

export function failedDm(r: ApiKeyRequest): string {
  return `Your request \`${r.id}\` (${r.operation} ${name(r)}) was approved by ${mention(r.approverId ?? '')}, but it did not complete: ${escapeMrkdwn(r.error ?? 'unknown error')}`;
}

/** The requester's DM for each point of the request's life. */
export function requesterDm(r: ApiKeyRequest, about: 'pending' | 'done' | 'failed' | 'denied'): string {
  switch (about) {
    case 'pending':
      return pendingDm(r);
    case 'done':
      return doneDm(r);
    case 'failed':
      return failedDm(r);
    case 'denied':
      return deniedDm(r);
  }
}

export function deniedDm(r: ApiKeyRequest): string {
  const why = r.denyReason ? ` Reason: ${escapeMrkdwn(r.denyReason)}` : '';
  return `Your request \`${r.id}\` to ${r.operation} the Harness API key ${name(r)} was denied by ${mention(r.approverId ?? '')}.${why}`;
}

export function auditLine(f: AuditFields): string {
  const key = f.keyUuid ? `${escapeMrkdwn(f.keyName)} (\`${f.keyUuid}\`)` : escapeMrkdwn(f.keyName);
  const detail = f.detail ? ` — ${escapeMrkdwn(truncate(f.detail, 500))}` : '';
  return `\`${f.at}\` *${f.event}* ${f.operation} ${key} · request \`${f.requestId}\` · by ${mention(f.actorId)} for ${mention(f.requesterId)}${detail}`;
}

export function helpText(unknown?: string): string {
  return [
    ...(unknown ? [`Unknown subcommand \`${escapeMrkdwn(truncate(unknown, 50))}\`.`] : []),
    `*${COMMAND}* manages Harness API keys; every change waits for an approver and is audited.`,
    `• \`${COMMAND} create\` request a new key`,
    `• \`${COMMAND} update\` change a key's name or user groups (Harness replaces the whole set)`,
    `• \`${COMMAND} delete\` delete a key (it stops working as soon as it is approved)`,
    `• \`${COMMAND} list\` keys the bot knows, and your open requests`,
    `• \`${COMMAND} audit [key name | uuid | @user | request id] [--since 7d]\` review the audit trail (approvers)`,
    `• \`${COMMAND} help\` this message`,
  ].join('\n');
}
