import type { ApiKeyRequest } from '../../domain/request';
import type { AuditFields } from '../../domain/audit';
import type { AuditCheckpoint } from '../../store/audit-chain';
import { COMMAND } from '../ids';
import { escapeMrkdwn, groupList, mention, truncate } from './format';

/** Plain messages: DMs to the requester, ephemeral replies, the audit channel's lines. */

const name = (r: ApiKeyRequest) => (r.keyName ? `*${escapeMrkdwn(truncate(r.keyName, 200))}*` : `\`${r.keyUuid ?? ''}\``);

export function pendingDm(r: ApiKeyRequest): string {
  return `Your request \`${r.id}\` to ${r.operation} the Harness API key ${name(r)} is waiting for an approver. Nothing changes in Harness until it is approved.`;
}

export function doneDm(r: ApiKeyRequest): string {
  const text = r.nextgen ? tokenDoneDm(r, r.nextgen) : keyDoneDm(r);
  return r.note ? `${text}\n_${escapeMrkdwn(r.note)}_` : text;
}

function keyDoneDm(r: ApiKeyRequest): string {
  if (r.operation === 'delete') {
    return `Approved by ${mention(r.approverId ?? '')}: the Harness API key ${name(r)} (\`${r.keyUuid ?? ''}\`) was deleted. It no longer works.`;
  }
  return [
    `Approved by ${mention(r.approverId ?? '')}: the Harness API key ${name(r)} was ${r.operation === 'create' ? 'created' : 'updated'}.`,
    `• uuid: \`${r.keyUuid ?? ''}\``,
    `• user groups: ${groupList(r.userGroups)}`,
    "Harness FirstGen never returns a key's value through its API, so the bot cannot hand it to you. Its value is shown in Harness under *Account Settings → Access Management → API Keys* (open the key, then reveal it) — a page that needs Harness admin rights: if you cannot open it, ask your Harness admin to copy the value for you. Store it in your secret manager.",
  ].join('\n');
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function tokenDoneDm(r: ApiKeyRequest, t: NonNullable<ApiKeyRequest['nextgen']>): string {
  const by = `Approved by ${mention(r.approverId ?? '')}`;
  const where = `under service account *${escapeMrkdwn(t.serviceAccount.name)}* (\`${t.serviceAccount.id}\`), API key \`${t.apiKey}\``;
  switch (r.operation) {
    case 'delete':
      return `${by}: ${t.scope === 'key' ? `the API key ${name(r)} and every token under it were` : `the token ${name(r)} was`} deleted ${where}. ${t.scope === 'key' ? 'They' : 'It'} no longer work${t.scope === 'key' ? '' : 's'}.`;
    case 'update':
      return `${by}: the token ${name(r)} ${where} was changed.`;
    case 'create':
    case 'rotate': {
      const what = r.operation === 'create' ? `a new token ${name(r)} was created ${where}` : `the token ${name(r)} was rotated ${where}${t.graceMs ? `; the old value keeps working for ${t.graceMs / 3_600_000} h` : '; the old value no longer works'}`;
      if (!r.revealUntil) {
        return `${by}: ${what}, but its value could not be kept for you (Harness shows it only once). Ask for a rotation with \`${COMMAND} rotate\` to get a new value.`;
      }
      return `${by}: ${what}. Press *Reveal token* to see its value: it is shown once, only to you, until ${utc(r.revealUntil)}. Store it in your secret manager.`;
    }
  }
}

/** The DM after a reveal window passed unused: the value is gone, a rotation gets a new one. */
export function revealExpiredDm(r: ApiKeyRequest): string {
  return `The value of the token ${name(r)} (request \`${r.id}\`) was not revealed before ${utc(r.revealUntil ?? Date.now())} and is gone: the bot keeps no copy. The token itself still works; to get a value you can use, request a rotation.`;
}

export function revealedDm(r: ApiKeyRequest, at: number): string {
  return `The value of the token ${name(r)} (request \`${r.id}\`) was revealed to you at ${utc(at)}; the bot keeps no copy.`;
}

export function failedDm(r: ApiKeyRequest): string {
  return `Your request \`${r.id}\` (${r.operation} ${name(r)}) was approved by ${mention(r.approverId ?? '')}, but it did not complete: ${escapeMrkdwn(r.error ?? 'unknown error')}`;
}

export function expiredDm(r: ApiKeyRequest): string {
  return `Your request \`${r.id}\` to ${r.operation} the Harness API key ${name(r)} expired: no approver decided in time. Nothing changed in Harness; request it again if it is still needed.`;
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

/** An audit checkpoint as posted to the audit channel: enough to check the trail against later. */
export function checkpointLine(c: AuditCheckpoint): string {
  const signed = c.signature ? `HMAC-SHA256 signature \`${c.signature}\`` : 'unsigned (AUDIT_HMAC_KEY is not set)';
  return `:lock: *Audit checkpoint* \`${c.at}\` · ${c.length} entries · last entry \`${c.lastId}\` · head hash \`${c.headHash || '(none)'}\` · ${signed}`;
}

export function helpText(unknown?: string, generation: 'firstgen' | 'nextgen' = 'firstgen'): string {
  const lines =
    generation === 'nextgen'
      ? [
          `• \`${COMMAND} create\` request a token for a service account (shown to you once, after approval)`,
          `• \`${COMMAND} rotate\` replace a token's value, with a grace period for the old one`,
          `• \`${COMMAND} update\` rename a token or change when it expires`,
          `• \`${COMMAND} delete\` revoke a token, or delete a whole API key`,
        ]
      : [
          `• \`${COMMAND} create\` request a new key`,
          `• \`${COMMAND} update\` change a key's name or user groups (Harness replaces the whole set)`,
          `• \`${COMMAND} delete\` delete a key (it stops working as soon as it is approved)`,
        ];
  return [
    ...(unknown ? [`Unknown subcommand \`${escapeMrkdwn(truncate(unknown, 50))}\`.`] : []),
    `*${COMMAND}* manages Harness API keys; every change waits for an approver and is audited.`,
    ...lines,
    `• \`${COMMAND} list\` keys the bot knows, and your open requests`,
    `• \`${COMMAND} audit [key name | uuid | @user | request id] [--since 7d]\` review the audit trail (approvers)`,
    `• \`${COMMAND} help\` this message`,
  ].join('\n');
}
