import { BOT, SLACKBOT, type Message, type Workspace } from './workspace';

/**
 * What one person's Slack client shows, as JSON for the page: the channels and their own DM with
 * the bot (messages, thread replies, the ephemeral messages meant for them), their App Home, the
 * modal on top of their stack, and the problems the simulator caught.
 */
export interface MessageView {
  ts: string;
  user: string;
  userName: string;
  bot: boolean;
  text: string;
  blocks?: unknown[];
  edited: boolean;
  ephemeral: boolean;
  replies?: MessageView[];
}

export function snapshot(ws: Workspace, userId: string, connected: boolean) {
  const me = ws.person(userId);
  if (!me) return undefined;
  const name = (id: string) => (id === BOT.userId ? BOT.name : id === SLACKBOT ? 'Slackbot' : (ws.person(id)?.name ?? id));
  const visible = (m: Message) => !m.ephemeralFor || m.ephemeralFor === userId;
  const view = (m: Message): MessageView => ({
    ts: m.ts,
    user: m.user,
    userName: name(m.user),
    bot: m.user === BOT.userId || m.user === SLACKBOT,
    text: m.text,
    ...(m.blocks ? { blocks: m.blocks } : {}),
    edited: Boolean(m.edited),
    ephemeral: Boolean(m.ephemeralFor),
  });
  const conversations = [...ws.conversations.values()]
    .filter((c) => c.kind === 'channel' || c.user === userId)
    .map((c) => {
      const shown = c.messages.filter(visible);
      const replies = new Map<string, MessageView[]>();
      for (const m of shown) if (m.threadTs && m.threadTs !== m.ts) replies.set(m.threadTs, [...(replies.get(m.threadTs) ?? []), view(m)]);
      return {
        id: c.id,
        name: c.kind === 'im' ? BOT.name : c.name,
        kind: c.kind,
        readOnly: c.kind === 'im' && ws.dmReadOnly,
        botMember: c.botMember,
        messages: shown
          .filter((m) => !m.threadTs || m.threadTs === m.ts)
          .slice(-200)
          .map((m) => ({ ...view(m), replies: replies.get(m.ts) ?? [] })),
      };
    });
  const stack = ws.stack(userId);
  const top = stack.at(-1);
  const home = ws.homes.get(userId);
  return {
    me: { id: me.id, name: me.name, role: me.role ?? '' },
    team: { id: ws.teamId, name: ws.teamName },
    people: ws.people.map((p) => ({ id: p.id, name: p.name, role: p.role ?? '' })),
    names: {
      users: Object.fromEntries([...ws.people.map((p): [string, string] => [p.id, p.name]), [BOT.userId, BOT.name]]) as Record<string, string>,
      channels: Object.fromEntries([...ws.conversations.values()].filter((c) => c.kind === 'channel').map((c) => [c.id, c.name])),
    },
    conversations,
    home: home ? { id: home.id, hash: home.hash, view: home.definition } : null,
    modal: top
      ? { id: top.id, hash: top.hash, depth: stack.length, view: top.definition, values: top.values, errors: top.errors, appError: top.appError ?? null }
      : null,
    problems: ws.problems.slice(-20),
    connected,
  };
}
