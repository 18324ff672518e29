import { KEY_NAME_MAX } from '../../domain/key-request-input';
import { CREATE_MODAL } from '../ids';
import type { ModalView } from './block-kit';
import { groupsInput, nameInput, reasonInput, requestModal } from './modal-parts';

/** The `/apikey create` modal. Groups come from an external select fed by the cached Harness groups. */
export function createModal(): ModalView {
  return requestModal({
    callbackId: CREATE_MODAL.callbackId,
    title: 'New Harness API key',
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Nothing changes in Harness until an approver accepts the request. You will get a DM with the result.' }],
      },
      nameInput({ label: 'Key name', hint: `Unique in the account; up to ${KEY_NAME_MAX} characters.` }),
      groupsInput({ label: 'Harness user groups', hint: 'The key inherits the permissions of these groups. Type to search.' }),
      reasonInput('What will use the key, and why it needs these groups'),
    ],
  });
}
