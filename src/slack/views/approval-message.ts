import { diffGroups, type ApiKeyRequest } from '../../domain/request';
import { ACTIONS, APPROVAL_MESSAGE } from '../ids';
import type { KnownBlock } from './block-kit';
import { escapeMrkdwn, groupList, mention, truncate } from './format';

const VERB: Record<ApiKeyRequest['operation'], string> = {
  create: 'Create API key',
  update: 'Update API key',
  delete: 'Delete API key',
  rotate: 'Rotate token',
};

/** `by` is " by <@approver>" when known, else "". */
const OUTCOME: Record<ApiKeyRequest['state'], (by: string) => string> = {
  pending: () => ':hourglass_flowing_sand: Waiting for an approver',
  approved: (by) => `:white_check_mark: Approved${by}, sending to Harness…`,
  executing: (by) => `:gear: Approved${by}, sending to Harness…`,
  done: (by) => `:white_check_mark: Approved${by} and done in Harness`,
  failed: (by) => `:x: Approved${by}, but it did not complete in Harness`,
  denied: (by) => `:no_entry: Denied${by}`,
  expired: () => ':clock3: Expired without a decision',
};

/** The request as approvers see it: summary, then buttons while pending, else the outcome. */
export function approvalMessage(request: ApiKeyRequest, extra: { queuedAhead?: number } = {}): { text: string; blocks: KnownBlock[] } {
  const fields = [`*Requester*\n${mention(request.requesterId)}`, ...changeFields(request), `*Request id*\n\`${request.id}\``];
  if (request.keyUuid) fields.push(`*Key uuid*\n\`${request.keyUuid}\``);

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${VERB[request.operation]}: ${displayName(request)}`, 150) } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn' as const, text })) },
    { type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${truncate(escapeMrkdwn(request.reason), 2900)}` } },
  ];

  if (request.state === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: APPROVAL_MESSAGE.actionsBlock,
      elements: [
        { type: 'button', action_id: ACTIONS.approve, style: 'primary', value: request.id, text: { type: 'plain_text', text: 'Approve' } },
        { type: 'button', action_id: ACTIONS.deny, style: 'danger', value: request.id, text: { type: 'plain_text', text: 'Deny' } },
      ],
    });
  } else {
    const ahead = extra.queuedAhead;
    const queued = ahead === undefined ? '' : ` · queued for Harness's rate limit, ${ahead > 0 ? `${ahead} ahead` : 'next in line'}`;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(outcomeLine(request) + queued, 2900) }] });
  }
  // The fallback text is parsed as mrkdwn in notifications: escape it like every mrkdwn field.
  const text = `${VERB[request.operation]} "${escapeMrkdwn(truncate(displayName(request), 100))}" requested by ${mention(request.requesterId)}: ${request.state}`;
  return { text, blocks };
}

const displayName = (r: ApiKeyRequest) => r.keyName || r.keyUuid || '(unnamed)';
const name = (s: string) => escapeMrkdwn(truncate(s, 200));

/** What the request changes, as approvers need to judge it: before -> after for an update. */
function changeFields(r: ApiKeyRequest): string[] {
  if (r.nextgen) return tokenFields(r, r.nextgen);
  const groups = (label: string, list: ApiKeyRequest['userGroups']) => `*${label}*\n${truncate(groupList(list), 1900)}`;
  switch (r.operation) {
    case 'create':
      return [`*Key name*\n${name(r.keyName)}`, groups('User groups', r.userGroups)];
    case 'delete':
      return [
        `*Key*\n${r.keyName ? name(r.keyName) : '_not created by the bot_'}`,
        r.userGroups.length > 0 ? groups('Its user groups', r.userGroups) : '*Its user groups*\n_unknown to the bot_',
      ];
    case 'update': {
      const diff = diffGroups(r.previousUserGroups, r.userGroups);
      const nameLine =
        r.previousName === undefined
          ? `*Name*\n${name(r.keyName)} _(current name unknown)_`
          : r.previousName === r.keyName
            ? `*Name*\n${name(r.keyName)} _(unchanged)_`
            : `*Name*\n${name(r.previousName)} → ${name(r.keyName)}`;
      if (!diff) return [nameLine, groups('User groups (replace all current groups, unknown to the bot)', r.userGroups)];
      return [
        nameLine,
        groups('Groups added', diff.added),
        groups('Groups removed', diff.removed),
        groups('Groups kept', diff.kept),
      ];
    }
    case 'rotate':
      return [`*Key*\n${name(r.keyName)}`];
  }
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hours = (ms: number) => (ms === 0 ? 'cut off at once' : `keeps working for ${ms / 3_600_000} h`);

/**
 * NextGen: the token acts with its service account's permissions, so approvers see that account
 * (name and identifier) and how long the token will live.
 */
function tokenFields(r: ApiKeyRequest, t: NonNullable<ApiKeyRequest['nextgen']>): string[] {
  const fields = [
    `*Service account*\n${name(t.serviceAccount.name)} (\`${t.serviceAccount.id}\`)`,
    `*API key*\n${name(r.keyName)} (\`${t.apiKey}\`)`,
  ];
  switch (r.operation) {
    case 'create':
      return [...fields, `*Valid for*\n${t.days ?? '?'} days after approval`];
    case 'rotate':
      return [...fields, `*Old value*\n${hours(t.graceMs ?? 0)}`, `*Expiry*\nunchanged (${t.validTo ? day(t.validTo) : 'unknown'})`];
    case 'update':
      return [...fields, `*Validity*\n${t.days ? `${t.days} days after approval` : 'unchanged'}${t.validTo ? ` (now until ${day(t.validTo)})` : ''}`];
    case 'delete':
      return [...fields, `*Deletes*\n${t.scope === 'key' ? '*the whole API key* and every token under it' : `the token \`${t.token}\``}`];
  }
}

function outcomeLine(request: ApiKeyRequest): string {
  const by = request.approverId ? ` by ${mention(request.approverId)}` : '';
  const parts = [OUTCOME[request.state](by)];
  if (request.state === 'denied' && request.denyReason) parts.push(`Reason: ${escapeMrkdwn(request.denyReason)}`);
  if (request.state === 'failed' && request.error) parts.push(escapeMrkdwn(request.error));
  if (request.state === 'done' && request.note) parts.push(escapeMrkdwn(request.note));
  return parts.join(' · ');
}
