import { checkMessage, checkView } from './block-limits';
import type { SlackCall } from './web-api';
import { BOT, type OpenView, type Workspace } from './workspace';

/**
 * The Web API methods the bot calls, answered over the workspace with Slack's error codes
 * (channel_not_found, not_in_channel, message_not_found, cant_update_message, expired_trigger_id,
 * hash_conflict, push_limit_reached, invalid_blocks, invalid_arguments, missing_scope, ...).
 * Every refusal is also listed on the page as a problem: in the sandbox it means a bot bug.
 */
type Answer = Record<string, unknown>;
type Args = Record<string, unknown>;

const SCOPE: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.delete': 'chat:write',
  'conversations.open': 'im:write',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
};

const TRIGGER_TTL_MS = 3000;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function answerWebApi(ws: Workspace, call: SlackCall): Answer {
  const needed = SCOPE[call.method];
  if (needed && !ws.scopes.has(needed)) {
    return refuse(ws, call, { ok: false, error: 'missing_scope', needed, provided: [...ws.scopes].join(',') });
  }
  const answer = dispatch(ws, call.method, call.args);
  return answer.ok === false ? refuse(ws, call, answer) : answer;
}

function refuse(ws: Workspace, call: SlackCall, answer: Answer): Answer {
  const messages = (answer.response_metadata as { messages?: string[] } | undefined)?.messages ?? [];
  ws.problem(`${call.method} answered ${String(answer.error)}`, messages);
  return answer;
}

const invalid = (error: 'invalid_blocks' | 'invalid_arguments', errors: string[]): Answer => ({
  ok: false,
  error,
  ...(error === 'invalid_blocks' ? { errors } : {}),
  response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
});

function dispatch(ws: Workspace, method: string, args: Args): Answer {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://sandbox.slack.invalid/', team: ws.teamName, user: BOT.name, team_id: ws.teamId, user_id: BOT.userId, bot_id: BOT.botId, is_enterprise_install: false };
    case 'chat.postMessage':
      return postMessage(ws, args);
    case 'chat.postEphemeral':
      return postEphemeral(ws, args);
    case 'chat.update':
      return update(ws, args);
    case 'chat.delete': {
      const message = ws.findMessage(str(args.channel) ?? '', str(args.ts) ?? '');
      if (!message || message.ephemeralFor) return { ok: false, error: 'message_not_found' };
      if (message.user !== BOT.userId) return { ok: false, error: 'cant_delete_message' };
      ws.removeMessage(message.channel, message.ts);
      return { ok: true, channel: message.channel, ts: message.ts };
    }
    case 'conversations.open': {
      const users = (str(args.users) ?? '').split(',').filter(Boolean);
      if (users.length !== 1) return { ok: false, error: users.length === 0 ? 'users_list_not_supplied' : 'not_supported' };
      if (!ws.person(users[0]!)) return { ok: false, error: 'user_not_found' };
      return { ok: true, channel: { id: ws.dmId(users[0]!) } };
    }
    case 'usergroups.users.list': {
      const users = ws.userGroups.get(str(args.usergroup) ?? '');
      return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
    }
    case 'users.info': {
      const person = ws.person(str(args.user) ?? '');
      return person ? { ok: true, user: { id: person.id, name: person.name, real_name: person.name, team_id: ws.teamId } } : { ok: false, error: 'user_not_found' };
    }
    case 'views.open':
    case 'views.push':
      return openView(ws, method, args);
    case 'views.update':
      return updateView(ws, args);
    case 'views.publish':
      return publish(ws, args);
    default:
      return { ok: false, error: 'unknown_method' };
  }
}

type Content = { content: { text: string; blocks?: unknown[] }; refused?: undefined } | { content?: undefined; refused: Answer };

function messageContent(args: Args): Content {
  const text = str(args.text) ?? '';
  const blocks = args.blocks;
  if (!text && (!Array.isArray(blocks) || blocks.length === 0)) return { refused: { ok: false, error: 'no_text' } };
  const errors = checkMessage({ text, blocks });
  if (errors.length > 0) return { refused: invalid('invalid_blocks', errors) };
  return { content: { text, ...(Array.isArray(blocks) ? { blocks: blocks as unknown[] } : {}) } };
}

function postMessage(ws: Workspace, args: Args): Answer {
  const conversation = ws.resolve(str(args.channel) ?? '');
  if (!conversation) return { ok: false, error: 'channel_not_found' };
  if (!conversation.botMember) return { ok: false, error: 'not_in_channel' };
  const { content, refused } = messageContent(args);
  if (refused) return refused;
  const parent = str(args.thread_ts) ? ws.findMessage(conversation.id, str(args.thread_ts)!) : undefined;
  // A reply's thread is its parent's: a thread_ts naming a reply still lands in the parent's thread.
  const threadTs = parent ? (parent.threadTs ?? parent.ts) : undefined;
  const message = ws.post({ channel: conversation.id, user: BOT.userId, ...content, ...(threadTs ? { threadTs } : {}) });
  return { ok: true, channel: conversation.id, ts: message.ts, message: wire(message) };
}

function postEphemeral(ws: Workspace, args: Args): Answer {
  const conversation = ws.resolve(str(args.channel) ?? '');
  if (!conversation) return { ok: false, error: 'channel_not_found' };
  const user = str(args.user) ?? '';
  if (!ws.person(user)) return { ok: false, error: 'user_not_found' };
  if (!conversation.botMember) return { ok: false, error: 'not_in_channel' };
  if (conversation.kind === 'im' && conversation.user !== user) return { ok: false, error: 'user_not_in_channel' };
  const { content, refused } = messageContent(args);
  if (refused) return refused;
  const message = ws.post({ channel: conversation.id, user: BOT.userId, ...content, ephemeralFor: user });
  return { ok: true, message_ts: message.ts };
}

function update(ws: Workspace, args: Args): Answer {
  const channel = str(args.channel) ?? '';
  // chat.update needs the C…/D… id: a user id or a name is not found.
  if (!ws.conversations.has(channel)) return { ok: false, error: 'channel_not_found' };
  const message = ws.findMessage(channel, str(args.ts) ?? '');
  if (!message || message.ephemeralFor) return { ok: false, error: 'message_not_found' };
  if (message.user !== BOT.userId) return { ok: false, error: 'cant_update_message' };
  const errors = checkMessage({ text: args.text, blocks: args.blocks });
  if (errors.length > 0) return invalid('invalid_blocks', errors);
  if (typeof args.text === 'string') message.text = args.text;
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  message.edited = true;
  ws.emit({ kind: 'messages', channel });
  return { ok: true, channel, ts: message.ts, text: message.text, message: wire(message) };
}

export const wire = (m: { ts: string; user: string; text: string; blocks?: unknown[]; threadTs?: string }) => ({
  type: 'message',
  ts: m.ts,
  user: m.user,
  ...(m.user === BOT.userId ? { bot_id: BOT.botId, app_id: BOT.appId } : {}),
  text: m.text,
  ...(m.blocks ? { blocks: m.blocks } : {}),
  ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
});

/** A view as Slack returns it (views.* answers, block_actions, view_submission). */
export function viewJson(ws: Workspace, view: { id: string; hash: string; definition: Record<string, unknown> } & Partial<OpenView>): Answer {
  const d = view.definition;
  return {
    id: view.id,
    team_id: ws.teamId,
    type: d.type,
    blocks: d.blocks ?? [],
    private_metadata: d.private_metadata ?? '',
    callback_id: d.callback_id ?? '',
    state: { values: view.values ?? {} },
    hash: view.hash,
    title: d.title,
    clear_on_close: d.clear_on_close ?? false,
    notify_on_close: d.notify_on_close ?? false,
    close: d.close ?? null,
    submit: d.submit ?? null,
    previous_view_id: view.previousViewId ?? null,
    root_view_id: view.rootViewId ?? view.id,
    app_id: BOT.appId,
    external_id: d.external_id ?? '',
    app_installed_team_id: ws.teamId,
    bot_id: BOT.botId,
  };
}

function openView(ws: Workspace, method: 'views.open' | 'views.push', args: Args): Answer {
  const trigger = ws.triggers.get(str(args.trigger_id) ?? '');
  if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
  // Slack: a trigger_id works once, within 3 seconds.
  if (trigger.used || Date.now() - trigger.at > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
  const errors = checkView(args.view, 'modal');
  if (errors.length > 0) return invalid('invalid_arguments', errors);
  const stack = ws.stack(trigger.user);
  if (method === 'views.push' && stack.length === 0) return { ok: false, error: 'not_found' };
  if (method === 'views.push' && stack.length >= 3) return { ok: false, error: 'push_limit_reached' };
  trigger.used = true;
  const view = ws.placeView(trigger.user, args.view as Record<string, unknown>, method === 'views.open' ? 'open' : 'push');
  return { ok: true, view: viewJson(ws, view) };
}

function updateView(ws: Workspace, args: Args): Answer {
  const id = str(args.view_id);
  const external = str(args.external_id);
  let view: OpenView | undefined;
  if (id) view = ws.findView(id);
  else if (external) view = [...ws.modals.values()].flat().find((v) => v.definition.external_id === external);
  if (!view) {
    const home = [...ws.homes.entries()].find(([, h]) => h.id === id);
    if (home) return publish(ws, { ...args, user_id: home[0] });
    return { ok: false, error: 'not_found' };
  }
  if (str(args.hash) && args.hash !== view.hash) return { ok: false, error: 'hash_conflict' };
  const errors = checkView(args.view, 'modal');
  if (errors.length > 0) return invalid('invalid_arguments', errors);
  ws.placeView(view.user, args.view as Record<string, unknown>, { replace: view });
  return { ok: true, view: viewJson(ws, view) };
}

function publish(ws: Workspace, args: Args): Answer {
  const user = str(args.user_id) ?? '';
  if (!ws.person(user)) return { ok: false, error: 'user_not_found' };
  const errors = checkView(args.view, 'home');
  if (errors.length > 0) return invalid('invalid_arguments', errors);
  const current = ws.homes.get(user);
  if (current && str(args.hash) && args.hash !== current.hash) return { ok: false, error: 'hash_conflict' };
  const home = { id: current?.id ?? ws.randomId('V'), hash: ws.newHash(), definition: args.view as Record<string, unknown> };
  ws.homes.set(user, home);
  ws.emit({ kind: 'home', user });
  return { ok: true, view: viewJson(ws, home) };
}
