/** Small text helpers shared by the view builders. */

/** Escape user text for mrkdwn so a key name or reason cannot ping <!channel> or fake a link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to at most `max` characters (Slack counts characters), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export const mention = (userId: string) => `<@${userId}>`;

export function groupList(groups: readonly { name: string }[]): string {
  return groups.length === 0 ? '_none_' : groups.map((g) => escapeMrkdwn(g.name)).join(', ');
}
