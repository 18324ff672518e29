import type { KeyRecord } from '../../domain/key-record';
import { DELETE_MODAL, FIELDS, UPDATE_MODAL } from '../ids';
import type { KnownBlock, ModalView, PlainTextOption } from './block-kit';
import { escapeMrkdwn, groupList, truncate } from './format';
import { groupsInput, nameInput, reasonInput, requestModal } from './modal-parts';

/** The modals of `/apikey update` and `/apikey delete`. */

export const keyOption = (key: Pick<KeyRecord, 'uuid' | 'name'>): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(`${key.name} (${key.uuid})`, 75) },
  value: key.uuid,
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
    nameInput({ label: 'Name', revision: rev, initial: key?.name }),
    groupsInput({ label: 'User groups (the full new set)', revision: rev, initial: key?.userGroups }),
    reasonInput(),
  );
  return requestModal({
    callbackId: UPDATE_MODAL.callbackId,
    title: 'Change Harness API key',
    blocks,
  });
}

export function deleteModal(): ModalView {
  return requestModal({
    callbackId: DELETE_MODAL.callbackId,
    title: 'Delete Harness API key',
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
          options: [{ text: { type: 'plain_text', text: 'I understand the key stops working as soon as this is approved' }, value: 'confirmed' }],
        },
      },
    ],
  });
}
