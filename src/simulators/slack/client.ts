import { checkMessage } from './block-limits';
import { actionEntry, blockActionsPayload, commandBody, elementIn, eventCallbackBody, interactiveBody } from './payloads';
import { toStateValue, type PageInput } from './modal-state';
import { sign } from './requests';
import { BOT, SLACKBOT, type Message, type Person, type Workspace } from './workspace';
import { viewJson } from './workspace-api';

/**
 * The Slack client's side of the sandbox: what a person does on the page becomes the request
 * Slack would send the bot, signed with the signing secret, and the bot's answer is applied as
 * Slack applies it. modal-client.ts does the same for modals.
 */
export interface Outcome {
  ok: boolean;
  /** The bot's HTTP status, when it answered. */
  status?: number;
  error?: string;
  ack?: unknown;
  errors?: Record<string, string>;
  options?: unknown[];
  optionGroups?: unknown[];
}

export const loopbackUrl = (raw: string): URL => {
  const url = new URL(raw);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`the sandbox only talks to loopback addresses, not ${url.hostname}`);
  return url;
};

/** Where Slack posts: `botUrl` as given when it has a path, else its /slack/events. */
export function eventsUrl(botUrl: string): string {
  const url = loopbackUrl(botUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/slack/events';
  return url.toString();
}

export class SlackClient {
  private botUrl: string | undefined;

  constructor(
    readonly ws: Workspace,
    private readonly signingSecret: string,
    botUrl?: string,
  ) {
    if (botUrl) this.setBotUrl(botUrl);
  }

  setBotUrl(url: string): void {
    this.botUrl = eventsUrl(url);
  }

  get connected(): boolean {
    return Boolean(this.botUrl);
  }

  /** Posts a signed request as Slack does; Slack gives up after 3 seconds. */
  async send(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<{ status?: number; text: string; error?: string }> {
    if (!this.botUrl) return { text: '', error: 'dispatch_failed' };
    try {
      const res = await fetch(this.botUrl, {
        method: 'POST',
        headers: { 'content-type': contentType, 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)', ...sign(this.signingSecret, body) },
        body,
        signal: AbortSignal.timeout(3000),
      });
      const text = await res.text();
      return res.status === 200 ? { status: 200, text } : { status: res.status, text, error: 'dispatch_failed' };
    } catch (err) {
      return { text: '', error: err instanceof Error && err.name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed' };
    }
  }

  person(userId: string): Person {
    const person = this.ws.person(userId);
    if (!person) throw new PageError(`no such person ${userId}`);
    return person;
  }

  /** The conversation a person may type in: a channel, or their own DM with the bot. */
  private typeableConversation(userId: string, channelId: string) {
    const c = this.ws.conversations.get(channelId);
    if (!c || (c.kind === 'im' && c.user !== userId)) throw new PageError(`no such conversation ${channelId}`);
    if (c.kind === 'im' && this.ws.dmReadOnly) throw new PageError('Sending messages to this app has been turned off.');
    return c;
  }

  private slackbotSays(channel: string, user: string, text: string) {
    this.ws.post({ channel, user: SLACKBOT, text, ephemeralFor: user });
  }

  async command(userId: string, channelId: string, line: string): Promise<Outcome> {
    const person = this.person(userId);
    this.typeableConversation(userId, channelId);
    const command = line.trim().split(/\s+/)[0] ?? '';
    const text = line.trim().slice(command.length).trim();
    if (command !== '/apikey') {
      this.slackbotSays(channelId, userId, `${command} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`);
      return { ok: false, error: 'unknown_command' };
    }
    const responseUrl = this.ws.issueResponseUrl({ user: userId, channel: channelId });
    const body = commandBody(this.ws, { person, channelId, command, text, responseUrl, triggerId: this.ws.issueTrigger(userId) });
    const res = await this.send(body);
    if (res.error) {
      this.slackbotSays(channelId, userId, `${command} failed with the error "${res.error}"`);
      this.ws.problem(`the bot did not answer ${command} ${text}: ${res.error}`, res.status ? [`HTTP ${res.status} ${res.text.slice(0, 200)}`] : []);
      return { ok: false, status: res.status, error: res.error };
    }
    if (!res.text) return { ok: true, status: 200 };
    let ack: Record<string, unknown>;
    try {
      ack = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      ack = { text: res.text }; // Slack shows a plain-text answer as is
    }
    this.applyReply(ack, { user: userId, channel: channelId });
    return { ok: true, status: 200, ack };
  }

  /** A message the person typed (the bot subscribes to no message events: nothing is sent). */
  message(userId: string, channelId: string, text: string, threadTs?: string): Outcome {
    this.person(userId);
    this.typeableConversation(userId, channelId);
    const parent = threadTs ? this.ws.findMessage(channelId, threadTs) : undefined;
    this.ws.post({ channel: channelId, user: userId, text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), ...(parent ? { threadTs: parent.threadTs ?? parent.ts } : {}) });
    return { ok: true };
  }

  /** A click or a choice in a message (or the Home tab: `home`). */
  async messageAction(userId: string, target: { channel: string; ts: string } | { home: true }, blockId: string, actionId: string, input: PageInput): Promise<Outcome> {
    const person = this.person(userId);
    let message: Message | undefined;
    let blocks: unknown;
    const home = 'home' in target ? this.ws.homes.get(userId) : undefined;
    if ('home' in target) {
      if (!home) throw new PageError('no Home tab published');
      blocks = home.definition.blocks;
    } else {
      message = this.ws.findMessage(target.channel, target.ts);
      const conversation = this.ws.conversations.get(target.channel);
      if (!message || !conversation || (message.ephemeralFor && message.ephemeralFor !== userId) || (conversation.kind === 'im' && conversation.user !== userId)) {
        throw new PageError('no such message');
      }
      blocks = message.blocks;
    }
    const found = elementIn(blocks, blockId, actionId);
    const state = found ? toStateValue(found.element, input) : undefined;
    const action = actionEntry(blockId, found?.element, actionId, state, { value: typeof input.value === 'string' ? input.value : undefined });
    const payload = blockActionsPayload(this.ws, {
      person,
      triggerId: this.ws.issueTrigger(userId),
      actions: [action],
      ...(message ? { message: { channelId: message.channel, message, responseUrl: this.ws.issueResponseUrl({ user: userId, channel: message.channel, messageTs: message.ts }) } } : {}),
      ...(home ? { view: { ...home, values: {} } } : {}),
    });
    return this.interact(payload, `${actionId} in ${blockId}`);
  }

  /** Sends an interactive payload; Slack shows a warning when the app does not answer 200 in time. */
  async interact(payload: Record<string, unknown>, what: string): Promise<Outcome & { text?: string }> {
    const res = await this.send(interactiveBody(payload));
    if (res.error) {
      this.ws.problem(`the bot did not acknowledge ${String(payload.type)} ${what}: ${res.error}`, res.status ? [`HTTP ${res.status} ${res.text.slice(0, 200)}`] : []);
      return { ok: false, status: res.status, error: res.error };
    }
    return { ok: true, status: 200, text: res.text };
  }

  async openHome(userId: string, tab: 'home' | 'messages'): Promise<Outcome> {
    this.person(userId);
    const home = this.ws.homes.get(userId);
    const event = { type: 'app_home_opened', user: userId, channel: this.ws.dmId(userId), tab, ...(home && tab === 'home' ? { view: viewJson(this.ws, home) } : {}) };
    const res = await this.send(eventCallbackBody(this.ws, event), 'application/json');
    if (res.error) this.ws.problem(`the bot did not acknowledge app_home_opened: ${res.error}`);
    return { ok: !res.error, status: res.status, error: res.error };
  }

  /** A post to a response_url the simulator handed out (Bolt's respond()). */
  respond(id: string, body: string): { status: number; answer: Record<string, unknown> } {
    const target = this.ws.responseUrls.get(id);
    if (!target) return { status: 404, answer: { ok: false, error: 'invalid_url' } };
    if (target.uses >= 5 || Date.now() - target.at > 30 * 60_000) return { status: 404, answer: { ok: false, error: target.uses >= 5 ? 'used_url' : 'expired_url' } };
    let reply: Record<string, unknown>;
    try {
      reply = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, answer: { ok: false, error: 'invalid_payload' } };
    }
    target.uses++;
    const errors = this.applyReply(reply, target);
    if (errors.length > 0) return { status: 400, answer: { ok: false, error: 'invalid_blocks', errors } };
    return { status: 200, answer: { ok: true } };
  }

  /** A command ack or a response_url message: ephemeral unless `in_channel`; replace/delete the source message. */
  private applyReply(reply: Record<string, unknown>, target: { user: string; channel: string; messageTs?: string }): string[] {
    const source = target.messageTs ? this.ws.findMessage(target.channel, target.messageTs) : undefined;
    if (reply.delete_original === true || reply.delete_original === 'true') {
      if (source) this.ws.removeMessage(source.channel, source.ts);
      return [];
    }
    const text = typeof reply.text === 'string' ? reply.text : '';
    const blocks = Array.isArray(reply.blocks) ? reply.blocks : undefined;
    if (!text && !blocks) return [];
    const errors = checkMessage({ text, blocks });
    if (errors.length > 0) {
      this.ws.problem('a reply to the person was refused: invalid_blocks', errors);
      return errors;
    }
    if ((reply.replace_original === true || reply.replace_original === 'true') && source) {
      source.text = text;
      source.blocks = blocks;
      this.ws.emit({ kind: 'messages', channel: source.channel });
      return [];
    }
    const inChannel = reply.response_type === 'in_channel';
    this.ws.post({ channel: target.channel, user: BOT.userId, text, ...(blocks ? { blocks } : {}), ...(inChannel ? {} : { ephemeralFor: target.user }) });
    return [];
  }
}

/** A request from the page that Slack's client could not have made (answered 400). */
export class PageError extends Error {
  override readonly name = 'PageError';
}
