import type { ModalView } from './block-kit';
import { KEY_NAME_MAX, REASON_MAX } from '../../domain/key-request-input';
import { CREATE_MODAL } from '../ids';

/** The `/apikey create` modal. Groups come from an external select fed by the cached Harness groups. */
export function createModal(): ModalView {
  return {
    type: 'modal',
    callback_id: CREATE_MODAL.callbackId,
    title: { type: 'plain_text', text: 'New Harness API key' },
    submit: { type: 'plain_text', text: 'Request approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Nothing changes in Harness until an approver accepts the request. You will get a DM with the result.',
          },
        ],
      },
      {
        type: 'input',
        block_id: CREATE_MODAL.nameBlock,
        label: { type: 'plain_text', text: 'Key name' },
        hint: { type: 'plain_text', text: `Unique in the account; up to ${KEY_NAME_MAX} characters.` },
        element: {
          type: 'plain_text_input',
          action_id: CREATE_MODAL.nameAction,
          max_length: KEY_NAME_MAX,
          placeholder: { type: 'plain_text', text: 'ci-deploy-bot' },
        },
      },
      {
        type: 'input',
        block_id: CREATE_MODAL.groupsBlock,
        label: { type: 'plain_text', text: 'Harness user groups' },
        hint: { type: 'plain_text', text: 'The key inherits the permissions of these groups. Type to search.' },
        element: {
          type: 'multi_external_select',
          action_id: CREATE_MODAL.groupsAction,
          min_query_length: 0,
          placeholder: { type: 'plain_text', text: 'Search user groups' },
        },
      },
      {
        type: 'input',
        block_id: CREATE_MODAL.reasonBlock,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: CREATE_MODAL.reasonAction,
          multiline: true,
          max_length: REASON_MAX,
          placeholder: { type: 'plain_text', text: 'What will use the key, and why it needs these groups' },
        },
      },
    ],
  };
}
