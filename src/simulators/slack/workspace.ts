import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { initialState } from './modal-state';
import {
  DEFAULT_CHANNELS,
  DEFAULT_PEOPLE,
  type Change,
  type Conversation,
  type Message,
  type OpenView,
  type Person,
  type Problem,
  type ResponseUrl,
  type Trigger,
  type WorkspaceOptions,
} from './workspace-types';

export * from './workspace-types';

const ts6 = (n: number) => String(n % 1_000_000).padStart(6, '0');

/**
 * The sandbox's Slack workspace: people, channels, each person's DM with the bot, messages with
 * their `ts`, threads, ephemeral messages, modal stacks, App Home views, trigger ids and
 * response URLs. workspace-api.ts answers the bot's Web API calls over it; client.ts and
 * modal-client.ts play the Slack client for the page. Every change is announced on `changes`.
 */
export class Workspace {
  readonly teamId: string;
  readonly teamName: string;
  readonly people: Person[];
  readonly conversations = new Map<string, Conversation>();
  readonly userGroups: Map<string, string[]>;
  readonly scopes: Set<string>;
  readonly dmReadOnly: boolean;
  /** Each person's modal stack, bottom first (at most 3). */
  readonly modals = new Map<string, OpenView[]>();
  readonly homes = new Map<string, { id: string; hash: string; definition: Record<string, unknown> }>();
  readonly triggers = new Map<string, Trigger>();
  readonly responseUrls = new Map<string, ResponseUrl>();
  readonly problems: Problem[] = [];
  readonly changes = new EventEmitter();
  /** Where response URLs point (the simulator's own base URL). */
  baseUrl = 'http://127.0.0.1';
  private counter = 0;

  constructor(options: WorkspaceOptions = {}, userGroups = new Map<string, string[]>()) {
    this.teamId = options.teamId ?? 'T0SANDBOX';
    this.teamName = options.teamName ?? 'Sandbox';
    this.people = options.people ?? DEFAULT_PEOPLE;
    this.scopes = new Set(options.scopes ?? ['commands', 'chat:write', 'im:write', 'usergroups:read']);
    this.dmReadOnly = options.dmReadOnly ?? true;
    this.userGroups = userGroups;
    for (const [id, members] of Object.entries(options.userGroups ?? {})) userGroups.set(id, members);
    for (const c of options.channels ?? DEFAULT_CHANNELS) {
      this.conversations.set(c.id, { id: c.id, name: c.name, kind: 'channel', botMember: c.botMember ?? true, messages: [] });
    }
    for (const p of this.people) {
      const id = this.dmId(p.id);
      this.conversations.set(id, { id, name: p.name, kind: 'im', user: p.id, botMember: true, messages: [] });
    }
    this.changes.setMaxListeners(100);
  }

  person = (id: string) => this.people.find((p) => p.id === id);
  dmId = (userId: string) => `D${userId.replace(/^[UW]/, '')}`;

  /** A C…/D… id, a U… id (the bot's DM with that person) or a channel name; undefined if unknown. */
  resolve(channel: string, allowUser = true): Conversation | undefined {
    if (allowUser && /^[UW]/.test(channel) && this.person(channel)) return this.conversations.get(this.dmId(channel));
    const byId = this.conversations.get(channel);
    if (byId) return byId;
    const name = channel.replace(/^#/, '');
    return [...this.conversations.values()].find((c) => c.kind === 'channel' && c.name === name);
  }

  /** Unique, increasing message timestamps in Slack's "<seconds>.<6 digits>" form. */
  nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${ts6(++this.counter)}`;
  }

  randomId(prefix: string, length = 10): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return prefix + [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
  }

  newHash = () => `${Math.floor(Date.now() / 1000)}.${randomBytes(6).toString('hex')}`;

  post(message: Omit<Message, 'ts'>): Message {
    const conversation = this.conversations.get(message.channel);
    if (!conversation) throw new Error(`no conversation ${message.channel}`);
    const stored: Message = { ...message, ts: this.nextTs() };
    conversation.messages.push(stored);
    if (conversation.messages.length > 1000) conversation.messages.shift();
    this.emit({ kind: 'messages', channel: message.channel });
    return stored;
  }

  findMessage(channel: string, ts: string): Message | undefined {
    return this.conversations.get(channel)?.messages.find((m) => m.ts === ts);
  }

  removeMessage(channel: string, ts: string): void {
    const conversation = this.conversations.get(channel);
    if (!conversation) return;
    conversation.messages = conversation.messages.filter((m) => m.ts !== ts);
    this.emit({ kind: 'messages', channel });
  }

  /** trigger_ids work once within 3 s, like Slack's. Format: "<ms>.<n>.<hex>". */
  issueTrigger(user: string): string {
    const id = `${Date.now()}.${++this.counter}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { user, at: Date.now(), used: false });
    for (const [key, t] of this.triggers) if (Date.now() - t.at > 60_000) this.triggers.delete(key);
    return id;
  }

  /** A response_url for an interaction: 5 uses within 30 minutes. */
  issueResponseUrl(target: Omit<ResponseUrl, 'at' | 'uses'>): string {
    const id = randomBytes(12).toString('hex');
    this.responseUrls.set(id, { ...target, at: Date.now(), uses: 0 });
    return `${this.baseUrl}/sandbox/response/${id}`;
  }

  stack(user: string): OpenView[] {
    let stack = this.modals.get(user);
    if (!stack) this.modals.set(user, (stack = []));
    return stack;
  }

  topView = (user: string) => this.stack(user).at(-1);

  findView(viewId: string): OpenView | undefined {
    for (const stack of this.modals.values()) {
      const found = stack.find((v) => v.id === viewId);
      if (found) return found;
    }
    return undefined;
  }

  /** A new view in `user`'s stack (or replacing `replace` in place, keeping its id). */
  placeView(user: string, definition: Record<string, unknown>, how: 'open' | 'push' | { replace: OpenView }): OpenView {
    const stack = this.stack(user);
    if (typeof how === 'object') {
      const view = how.replace;
      view.definition = definition;
      view.values = initialState(definition.blocks, view.values);
      view.hash = this.newHash();
      view.errors = {};
      view.appError = undefined;
      view.suggested = {};
      this.emit({ kind: 'modal', user });
      return view;
    }
    if (how === 'open') stack.length = 0;
    const id = this.randomId('V');
    const view: OpenView = {
      id,
      user,
      hash: this.newHash(),
      definition,
      values: initialState(definition.blocks),
      errors: {},
      suggested: {},
      rootViewId: stack[0]?.id ?? id,
      previousViewId: stack.at(-1)?.id ?? null,
    };
    stack.push(view);
    this.emit({ kind: 'modal', user });
    return view;
  }

  closeViews(user: string, all: boolean): void {
    const stack = this.stack(user);
    if (all) stack.length = 0;
    else stack.pop();
    this.emit({ kind: 'modal', user });
  }

  /** Something Slack would have refused or shown as an error: listed on the page as a bot bug. */
  problem(what: string, details: string[] = []): void {
    this.problems.push({ at: new Date().toISOString(), what, details });
    if (this.problems.length > 50) this.problems.shift();
    this.emit({ kind: 'problems' });
  }

  emit(change: Change): void {
    this.changes.emit('change', change);
  }
}
