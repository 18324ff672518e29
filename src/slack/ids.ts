/**
 * Every Slack identifier the bot uses: the slash command, callback ids, block ids and action ids.
 * test/unit/slack/manifest.test.ts checks them against manifest.yml.
 */
export const COMMAND = '/apikey';

export const CREATE_MODAL = {
  callbackId: 'apikey_create',
  nameBlock: 'key_name',
  nameAction: 'key_name_input',
  groupsBlock: 'user_groups',
  groupsAction: 'user_groups_select',
  reasonBlock: 'reason',
  reasonAction: 'reason_input',
} as const;

export const DENY_MODAL = {
  callbackId: 'apikey_deny',
  reasonBlock: 'deny_reason',
  reasonAction: 'deny_reason_input',
} as const;

export const ACTIONS = {
  approve: 'approve_request',
  deny: 'deny_request',
} as const;

/** Blocks of the approval message, so chat.update can keep or replace them by id. */
export const APPROVAL_MESSAGE = {
  actionsBlock: 'decision',
} as const;
