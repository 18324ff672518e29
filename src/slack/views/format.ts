import type { KnownBlock } from './block-kit';

/** Small text helpers shared by the view builders. */

/** Escape user text for mrkdwn so a key name or reason cannot ping <!channel> or fake a link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to at most `max` characters (Slack counts characters), marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length >= character count: nothing to cut
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** A user mention, only for what is shaped like a Slack user id: anything else is shown escaped, never parsed. */
export const mention = (userId: string) => (SLACK_USER_ID.test(userId) ? `<@${userId}>` : `\`${escapeMrkdwn(truncate(userId, 40)).replace(/`/g, "'")}\``);

export function groupList(groups: readonly { name: string }[]): string {
  return groups.length === 0 ? '_none_' : groups.map((g) => escapeMrkdwn(g.name)).join(', ');
}

/**
 * Lines packed into section blocks under Slack's limits (3000 characters a section, `maxBlocks`
 * sections); whatever does not fit is counted in a last line instead of being dropped silently.
 */
export function lineSections(lines: readonly string[], maxBlocks: number): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  let shown = 0;
  for (const raw of lines) {
    const line = truncate(raw, 2900);
    if (current && current.length + line.length + 1 > 2900) {
      if (blocks.length + 1 >= maxBlocks) break;
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    shown++;
  }
  if (current) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  if (shown < lines.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${lines.length - shown} more not shown.` }] });
  return blocks;
}
