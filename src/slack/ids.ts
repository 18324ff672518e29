/**
 * Every Slack identifier the bot uses: the slash command, callback ids, block ids and action ids.
 * test/unit/slack/manifest.test.ts checks them against manifest.yml.
 */
export const COMMAND = '/apikey';

/** Input blocks shared by the create, update and delete modals. */
export const FIELDS = {
  nameBlock: 'key_name',
  nameAction: 'key_name_input',
  groupsBlock: 'user_groups',
  groupsAction: 'user_groups_select',
  reasonBlock: 'reason',
  reasonAction: 'reason_input',
  keyBlock: 'key',
  keyAction: 'key_select',
  uuidBlock: 'key_uuid',
  uuidAction: 'key_uuid_input',
  confirmBlock: 'confirm',
  confirmAction: 'confirm_checkbox',
  // NextGen modals
  serviceAccountBlock: 'service_account',
  serviceAccountAction: 'service_account_select',
  validityBlock: 'validity_days',
  validityAction: 'validity_days_input',
  tokenBlock: 'token',
  tokenAction: 'token_select',
  graceBlock: 'grace',
  graceAction: 'grace_select',
  scopeBlock: 'delete_scope',
  scopeAction: 'delete_scope_select',
} as const;

export const CREATE_MODAL = {
  callbackId: 'apikey_create',
  nameBlock: FIELDS.nameBlock,
  nameAction: FIELDS.nameAction,
  groupsBlock: FIELDS.groupsBlock,
  groupsAction: FIELDS.groupsAction,
  reasonBlock: FIELDS.reasonBlock,
  reasonAction: FIELDS.reasonAction,
} as const;

export const UPDATE_MODAL = { callbackId: 'apikey_update' } as const;
export const DELETE_MODAL = { callbackId: 'apikey_delete' } as const;

/** NextGen's modals: tokens under API keys under service accounts. */
export const NEXTGEN_MODALS = {
  create: 'apikey_token_create',
  rotate: 'apikey_token_rotate',
  update: 'apikey_token_update',
  delete: 'apikey_token_delete',
} as const;

/** The modal that shows a new token's value, once. */
export const REVEAL_MODAL = { callbackId: 'apikey_token_reveal' } as const;

export const DENY_MODAL = {
  callbackId: 'apikey_deny',
  reasonBlock: 'deny_reason',
  reasonAction: 'deny_reason_input',
} as const;

export const ACTIONS = {
  approve: 'approve_request',
  deny: 'deny_request',
  auditPage: 'audit_next_page',
  reveal: 'reveal_token',
  requestRotation: 'request_rotation',
} as const;

/** Blocks of the approval message, so chat.update can keep or replace them by id. */
export const APPROVAL_MESSAGE = {
  actionsBlock: 'decision',
} as const;

/** Events the bot subscribes to (manifest: settings.event_subscriptions.bot_events). */
export const EVENTS = ['app_home_opened'] as const;
