import type { ModalView } from './block-kit';
import { REASON_MAX } from '../../domain/key-request-input';
import { DENY_MODAL } from '../ids';
import { escapeMrkdwn } from './format';

export function denyModal(request: { id: string; keyName: string }): ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL.callbackId,
    private_metadata: request.id,
    title: { type: 'plain_text', text: 'Deny request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `Deny request \`${request.id}\` for key *${escapeMrkdwn(request.keyName)}*?` },
      },
      {
        type: 'input',
        block_id: DENY_MODAL.reasonBlock,
        optional: true,
        label: { type: 'plain_text', text: 'Reason (sent to the requester)' },
        element: { type: 'plain_text_input', action_id: DENY_MODAL.reasonAction, multiline: true, max_length: REASON_MAX },
      },
    ],
  };
}
