import type { AuditQuery } from '../../domain/audit-query';
import type { AuditEntry } from '../../domain/audit';
import { ACTIONS } from '../ids';
import type { KnownBlock } from './block-kit';
import { escapeMrkdwn, lineSections, mention, truncate } from './format';
import { auditLine } from './messages';

function describe(query: AuditQuery): string {
  const since = query.sinceMs ? ` since ${new Date(query.sinceMs).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  switch (query.target.kind) {
    case 'all':
      return `all events${since}`;
    case 'user':
      return `events by or for ${mention(query.target.userId)}${since}`;
    case 'request':
      return `request \`${query.target.requestId}\`${since}`;
    case 'key':
      return `key ${escapeMrkdwn(truncate(query.target.key, 100))}${since}`;
  }
}

/** One page of `/apikey audit`, newest first, with a button for the next page. */
export function auditPage(page: { query: AuditQuery; text: string; entries: AuditEntry[]; next?: string }): { text: string; blocks: KnownBlock[] } {
  const title = `Audit trail: ${describe(page.query)}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
    ...(page.entries.length
      ? lineSections(page.entries.map(auditLine), 40)
      : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '_No matching events._' } }]),
  ];
  if (page.next) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.auditPage,
          text: { type: 'plain_text', text: 'Older events' },
          value: cursorValue(page.text, page.next),
        },
      ],
    });
  }
  return { text: title, blocks };
}

/** The button value holds the query and the cursor: 2,000 characters at most once JSON-escaped. */
export function cursorValue(query: string, before: string): string {
  for (let max = 1500; ; max = Math.floor(max / 2)) {
    const value = JSON.stringify({ q: truncate(query, max), before });
    if (value.length <= 2000) return value;
  }
}
