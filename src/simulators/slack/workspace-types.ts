import type { OptionObject, ViewValues } from './modal-state';

/** The sandbox workspace's data: people, channels, messages, open views, triggers, response URLs. */
export interface Person {
  id: string;
  name: string;
  /** Shown in the person switcher: "requester", "approver", ... */
  role?: string;
}

export interface ChannelSpec {
  id: string;
  name: string;
  /** Is the bot a member (real Slack answers not_in_channel otherwise)? Default true. */
  botMember?: boolean;
}

export interface WorkspaceOptions {
  teamId?: string;
  teamName?: string;
  people?: Person[];
  channels?: ChannelSpec[];
  /** Slack user groups (S…) and their members. */
  userGroups?: Record<string, string[]>;
  /** The bot's OAuth scopes (manifest.yml's by default). */
  scopes?: string[];
  /** manifest.yml's messages_tab_read_only_enabled: people cannot type in the bot's DM. */
  dmReadOnly?: boolean;
}

export const BOT = { userId: 'UBOT', botId: 'BBOT', appId: 'A0SANDBOX', name: 'apikey-bot' } as const;
export const SLACKBOT = 'USLACKBOT';

export const DEFAULT_PEOPLE: Person[] = [
  { id: 'U0DEV', name: 'dev', role: 'requester' },
  { id: 'U0ADMIN1', name: 'admin1', role: 'approver 1' },
  { id: 'U0ADMIN2', name: 'admin2', role: 'approver 2' },
  { id: 'U0OTHER', name: 'other', role: 'someone else' },
];

export const DEFAULT_CHANNELS: ChannelSpec[] = [
  { id: 'C0GENERAL', name: 'general' },
  { id: 'C0APPROVALS', name: 'apikey-approvals' },
  { id: 'C0AUDIT', name: 'apikey-audit' },
];

export interface Conversation {
  id: string;
  name: string;
  kind: 'channel' | 'im';
  /** For a DM: the person the bot talks to. */
  user?: string;
  botMember: boolean;
  messages: Message[];
}

export interface Message {
  channel: string;
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  edited?: boolean;
  /** Visible only to this person. */
  ephemeralFor?: string;
}

export interface OpenView {
  id: string;
  user: string;
  hash: string;
  definition: Record<string, unknown>;
  values: ViewValues;
  errors: Record<string, string>;
  rootViewId: string;
  previousViewId: string | null;
  /** A Slack-side failure shown in the modal ("We had some trouble connecting"). */
  appError?: string;
  /** The last options the bot suggested per "<block_id>/<action_id>" (a choice is one of them). */
  suggested: Record<string, OptionObject[]>;
}

export interface Trigger {
  user: string;
  at: number;
  used: boolean;
}

export interface ResponseUrl {
  user: string;
  channel: string;
  /** The message an action came from (replace_original / delete_original act on it). */
  messageTs?: string;
  at: number;
  uses: number;
}

export interface Problem {
  at: string;
  what: string;
  details: string[];
}

export type Change = { kind: 'messages'; channel: string } | { kind: 'modal' | 'home'; user: string } | { kind: 'problems' };
