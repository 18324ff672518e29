import { findElement, isMulti, isSingle, type Element, type StateValue } from './modal-state';
import { BOT, type Message, type OpenView, type Person, type Workspace } from './workspace';
import { viewJson, wire } from './workspace-api';

/**
 * The requests Slack sends an app, field for field: slash commands as a form, interactive payloads
 * (block_actions, view_submission, view_closed, block_suggestion) as a form with one JSON
 * `payload` field, Events API callbacks as JSON.
 */
const user = (ws: Workspace, p: Person) => ({ id: p.id, username: p.name, name: p.name, team_id: ws.teamId });
const team = (ws: Workspace) => ({ id: ws.teamId, domain: ws.teamName.toLowerCase() });
const common = (ws: Workspace) => ({ team: team(ws), api_app_id: BOT.appId, token: 'sandbox-verification-token', is_enterprise_install: false, enterprise: null });
const actionTs = () => (Date.now() / 1000).toFixed(6);

export const interactiveBody = (payload: Record<string, unknown>) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/**
 * Slack escapes a command's text (manifest: should_escape): &, < and > become entities, then
 * `@name` becomes `<@U…|name>` and `#channel` becomes `<#C…|channel>` for names it knows.
 */
export function escapeCommandText(ws: Workspace, text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|\s)@([\w.-]+)/g, (all, pre: string, name: string) => {
      const p = ws.people.find((x) => x.name === name || x.id === name);
      return p ? `${pre}<@${p.id}|${p.name}>` : all;
    })
    .replace(/(^|\s)#([\w.-]+)/g, (all, pre: string, name: string) => {
      const c = [...ws.conversations.values()].find((x) => x.kind === 'channel' && x.name === name);
      return c ? `${pre}<#${c.id}|${c.name}>` : all;
    });
}

export function commandBody(ws: Workspace, o: { person: Person; channelId: string; command: string; text: string; responseUrl: string; triggerId: string }): string {
  const conversation = ws.conversations.get(o.channelId);
  return new URLSearchParams({
    token: 'sandbox-verification-token',
    team_id: ws.teamId,
    team_domain: ws.teamName.toLowerCase(),
    channel_id: o.channelId,
    channel_name: conversation?.kind === 'im' ? 'directmessage' : (conversation?.name ?? ''),
    user_id: o.person.id,
    user_name: o.person.name,
    command: o.command,
    text: escapeCommandText(ws, o.text),
    api_app_id: BOT.appId,
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: o.triggerId,
  }).toString();
}

/** One `actions[]` entry for what the person did with an element. */
export function actionEntry(blockId: string, element: Element | undefined, actionId: string, state: StateValue | undefined, raw: { value?: string }): Record<string, unknown> {
  const type = element?.type ?? 'button';
  const base = { type, block_id: blockId, action_id: actionId, action_ts: actionTs() };
  if (type === 'button') {
    const text = (element?.text as { text?: string } | undefined)?.text ?? '';
    return {
      ...base,
      text: { type: 'plain_text', text, emoji: true },
      ...(element?.value !== undefined ? { value: element.value } : raw.value !== undefined ? { value: raw.value } : {}),
      ...(element?.style ? { style: element.style } : {}),
    };
  }
  if (isMulti(type)) return { ...base, selected_options: state?.selected_options ?? [] };
  if (isSingle(type)) return { ...base, selected_option: state?.selected_option ?? null, ...(element?.placeholder ? { placeholder: element.placeholder } : {}) };
  return { ...base, value: state?.value ?? null };
}

export interface MessageContext {
  channelId: string;
  message: Message;
  responseUrl: string;
}

export function blockActionsPayload(
  ws: Workspace,
  o: { person: Person; triggerId: string; actions: Record<string, unknown>[]; message?: MessageContext; view?: OpenView | { id: string; hash: string; definition: Record<string, unknown> } },
): Record<string, unknown> {
  const conversation = o.message ? ws.conversations.get(o.message.channelId) : undefined;
  const ephemeral = Boolean(o.message?.message.ephemeralFor);
  return {
    type: 'block_actions',
    user: user(ws, o.person),
    ...common(ws),
    container: o.message
      ? { type: 'message', message_ts: o.message.message.ts, channel_id: o.message.channelId, is_ephemeral: ephemeral }
      : { type: 'view', view_id: o.view?.id },
    trigger_id: o.triggerId,
    ...(conversation ? { channel: { id: conversation.id, name: conversation.kind === 'im' ? 'directmessage' : conversation.name } } : {}),
    // Slack leaves the message out for ephemeral messages: the app never stored them.
    ...(o.message && !ephemeral ? { message: wire(o.message.message) } : {}),
    ...(o.view ? { view: viewJson(ws, o.view) } : {}),
    ...(o.message ? { response_url: o.message.responseUrl, state: { values: {} } } : {}),
    actions: o.actions,
  };
}

export function viewSubmissionPayload(ws: Workspace, o: { person: Person; triggerId: string; view: OpenView }): Record<string, unknown> {
  return { type: 'view_submission', ...common(ws), user: user(ws, o.person), view: viewJson(ws, o.view), response_urls: [], trigger_id: o.triggerId };
}

export function viewClosedPayload(ws: Workspace, o: { person: Person; view: OpenView; cleared: boolean }): Record<string, unknown> {
  return { type: 'view_closed', ...common(ws), user: user(ws, o.person), view: viewJson(ws, o.view), is_cleared: o.cleared };
}

export function blockSuggestionPayload(ws: Workspace, o: { person: Person; view: OpenView; blockId: string; actionId: string; value: string }): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    user: user(ws, o.person),
    container: { type: 'view', view_id: o.view.id },
    ...common(ws),
    action_id: o.actionId,
    block_id: o.blockId,
    value: o.value,
    view: viewJson(ws, o.view),
  };
}

/** An Events API callback (JSON body). */
export function eventCallbackBody(ws: Workspace, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'sandbox-verification-token',
    team_id: ws.teamId,
    api_app_id: BOT.appId,
    event: { ...event, event_ts: actionTs() },
    type: 'event_callback',
    event_id: ws.randomId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: ws.teamId, user_id: BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

/** The element an action names, looked up in the message or view the person acted in. */
export const elementIn = (blocks: unknown, blockId: string, actionId: string) => findElement(blocks, blockId, actionId);
