import type { ApiKeyRequest } from '../../domain/request';
import type { KeyRecord } from '../../domain/key-record';
import type { KnownBlock } from './block-kit';
import { escapeMrkdwn, groupList, lineSections, mention } from './format';

const day = (iso: string) => iso.slice(0, 10);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function keyLine(k: KeyRecord, now = Date.now()): string {
  if (k.nextgen) return tokenLine(k, k.nextgen, now);
  const state = k.deletedAt ? ` _(deleted ${day(k.deletedAt)})_` : '';
  return `• *${escapeMrkdwn(k.name)}* \`${k.uuid}\`${state} — ${groupList(k.userGroups)} — asked by ${mention(k.requesterId)}, approved by ${mention(k.approverId)}, ${day(k.updatedAt)}`;
}

/** A NextGen token: where it acts (service account, scope) and until when; Harness forgets expired ones, the bot does not. */
function tokenLine(k: KeyRecord, t: NonNullable<KeyRecord['nextgen']>, now: number): string {
  const state = k.deletedAt ? `_(deleted ${day(k.deletedAt)})_` : t.validTo <= now ? `_(expired ${day(new Date(t.validTo).toISOString())})_` : `until ${day(new Date(t.validTo).toISOString())}`;
  return `• *${escapeMrkdwn(k.name)}* token \`${t.token}\` ${state} — service account *${escapeMrkdwn(t.serviceAccount.name)}* (\`${t.serviceAccount.id}\`), API key \`${t.apiKey}\`, ${t.scope ?? 'account'} scope — asked by ${mention(k.requesterId)}, approved by ${mention(k.approverId)}`;
}

export function requestLine(r: ApiKeyRequest): string {
  const what = escapeMrkdwn(r.keyName || r.keyUuid || '');
  return `• \`${r.id}\` ${r.operation} *${what}* — ${r.state} since ${r.updatedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

/** `/apikey list`, ephemeral: within Slack's 50 blocks a message. */
export function listMessage(overview: { keys: KeyRecord[]; openRequests: ApiKeyRequest[] }): { text: string; blocks: KnownBlock[] } {
  const live = overview.keys.filter((k) => !k.deletedAt);
  const deleted = overview.keys.filter((k) => k.deletedAt);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Harness API keys the bot knows (${live.length})` } },
    ...(live.length ? lineSections(live.map(keyLine), 20) : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '_None yet._' } }]),
  ];
  if (deleted.length) {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: `Deleted (${deleted.length})` } }, ...lineSections(deleted.map(keyLine), 10));
  }
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: `Your open requests (${overview.openRequests.length})` } },
    ...(overview.openRequests.length
      ? lineSections(overview.openRequests.map(requestLine), 10)
      : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '_None._' } }]),
  );
  return { text: `${count(live.length, 'API key')}, ${count(overview.openRequests.length, 'open request')} of yours`, blocks };
}
