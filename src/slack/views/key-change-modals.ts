import { KEY_NAME_MAX, REASON_MAX } from '../../domain/key-request-input';
import type { KeyRecord } from '../../store/key-registry';
import { DELETE_MODAL, FIELDS, UPDATE_MODAL } from '../ids';
import type { KnownBlock, ModalView, PlainTextOption } from './block-kit';
import { escapeMrkdwn, groupList, truncate } from './format';
import { withRevision } from './view-state';

/** The modals of `/apikey update` and `/apikey delete`. */

export const keyOption = (key: Pick<KeyRecord, 'uuid' | 'name'>): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(`${key.name} (${key.uuid})`, 75) },
  value: key.uuid,
});

export const groupOption = (g: { id: string; name: string }): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(g.name, 75) },
  value: g.id,
});

function keyPicker(dispatch: boolean, key?: KeyRecord): KnownBlock[] {
  return [
    {
      type: 'input',
      block_id: FIELDS.keyBlock,
      optional: true,
      dispatch_action: dispatch,
      label: { type: 'plain_text', text: 'Key' },
      hint: { type: 'plain_text', text: 'Keys the bot created or changed. Type to search by name.' },
      element: {
        type: 'external_select',
        action_id: FIELDS.keyAction,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Search keys' },
        ...(key ? { initial_option: keyOption(key) } : {}),
      },
    },
    {
      type: 'input',
      block_id: FIELDS.uuidBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Or the uuid of a key created elsewhere' },
      element: { type: 'plain_text_input', action_id: FIELDS.uuidAction, max_length: 64 },
    },
  ];
}

function reasonInput(): KnownBlock {
  return {
    type: 'input',
    block_id: FIELDS.reasonBlock,
    label: { type: 'plain_text', text: 'Reason' },
    element: { type: 'plain_text_input', action_id: FIELDS.reasonAction, multiline: true, max_length: REASON_MAX },
  };
}

export interface KeyModalMetadata {
  /** The registry key the modal was prefilled from, if any. */
  uuid?: string;
}

export function updateModal(key?: KeyRecord): ModalView {
  const rev = key?.uuid;
  const blocks: KnownBlock[] = [...keyPicker(true, key)];
  if (key) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Now: *${escapeMrkdwn(truncate(key.name, 200))}* with ${truncate(groupList(key.userGroups), 2500)}` }],
    });
  } else {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: ':warning: Harness *replaces* the key’s name and all its user groups. For a key the bot does not know, choose the full set of groups it must keep.',
        },
      ],
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: withRevision(FIELDS.nameBlock, rev),
      label: { type: 'plain_text', text: 'Name' },
      element: {
        type: 'plain_text_input',
        action_id: FIELDS.nameAction,
        max_length: KEY_NAME_MAX,
        ...(key ? { initial_value: key.name } : {}),
      },
    },
    {
      type: 'input',
      block_id: withRevision(FIELDS.groupsBlock, rev),
      label: { type: 'plain_text', text: 'User groups (the full new set)' },
      element: {
        type: 'multi_external_select',
        action_id: FIELDS.groupsAction,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Search user groups' },
        ...(key && key.userGroups.length > 0 ? { initial_options: key.userGroups.slice(0, 100).map(groupOption) } : {}),
      },
    },
    reasonInput(),
  );
  return {
    type: 'modal',
    callback_id: UPDATE_MODAL.callbackId,
    private_metadata: JSON.stringify({ uuid: key?.uuid } satisfies KeyModalMetadata),
    title: { type: 'plain_text', text: 'Change Harness API key' },
    submit: { type: 'plain_text', text: 'Request approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function deleteModal(): ModalView {
  return {
    type: 'modal',
    callback_id: DELETE_MODAL.callbackId,
    title: { type: 'plain_text', text: 'Delete Harness API key' },
    submit: { type: 'plain_text', text: 'Request approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...keyPicker(false),
      reasonInput(),
      {
        type: 'input',
        block_id: FIELDS.confirmBlock,
        label: { type: 'plain_text', text: 'Confirm' },
        element: {
          type: 'checkboxes',
          action_id: FIELDS.confirmAction,
          options: [{ text: { type: 'plain_text', text: 'I understand the key stops working at once once approved' }, value: 'confirmed' }],
        },
      },
    ],
  };
}
