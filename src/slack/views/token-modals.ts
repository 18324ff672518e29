import type { KeyRecord } from '../../domain/key-record';
import { KEY_NAME_MAX } from '../../domain/key-request-input';
import { FIELDS, NEXTGEN_MODALS, REVEAL_MODAL } from '../ids';
import type { KnownBlock, ModalView, PlainTextOption } from './block-kit';
import { escapeMrkdwn, truncate } from './format';
import { nameInput, reasonInput, requestModal } from './modal-parts';

/** The NextGen modals: `/apikey create`, `rotate`, `update` and `delete` on tokens the bot minted. */

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const tokenOption = (t: KeyRecord): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(`${t.name} · ${t.nextgen?.serviceAccount.name ?? ''} · until ${day(t.nextgen?.validTo ?? 0)}`, 75) },
  value: t.uuid,
});

export const serviceAccountOption = (sa: { id: string; name: string }): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(`${sa.name} (${sa.id})`, 75) },
  value: sa.id,
});

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });

function tokenPicker(hint: string, initial?: KeyRecord): KnownBlock {
  return {
    type: 'input',
    block_id: FIELDS.tokenBlock,
    label: plain('Token'),
    hint: plain(hint),
    element: {
      type: 'external_select',
      action_id: FIELDS.tokenAction,
      min_query_length: 0,
      placeholder: plain('Search tokens the bot created'),
      ...(initial ? { initial_option: tokenOption(initial) } : {}),
    },
  };
}

function daysInput(options: { label: string; maxDays: number; initial?: number; optional?: boolean; hint: string }): KnownBlock {
  return {
    type: 'input',
    block_id: FIELDS.validityBlock,
    optional: options.optional ?? false,
    label: plain(options.label),
    hint: plain(options.hint),
    element: {
      type: 'number_input',
      action_id: FIELDS.validityAction,
      is_decimal_allowed: false,
      min_value: '1',
      max_value: String(options.maxDays),
      ...(options.initial !== undefined ? { initial_value: String(options.initial) } : {}),
    },
  };
}

export function createTokenModal(maxDays: number): ModalView {
  return requestModal({
    callbackId: NEXTGEN_MODALS.create,
    title: 'New Harness API token',
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing changes in Harness until an approver accepts. You then get a DM with a button that shows the token once.' }] },
      {
        type: 'input',
        block_id: FIELDS.serviceAccountBlock,
        label: plain('Service account'),
        hint: plain('The token acts with every permission of this service account. Type to search.'),
        element: { type: 'external_select', action_id: FIELDS.serviceAccountAction, min_query_length: 0, placeholder: plain('Search service accounts') },
      },
      nameInput({ label: 'API key name', hint: `Letters, digits, spaces and - _ . / only, up to ${KEY_NAME_MAX}. The Harness identifier is made from it; a name the bot already created under this service account gets a new token.` }),
      daysInput({ label: 'Valid for (days)', maxDays, initial: Math.min(30, maxDays), hint: `Counted from the approval; at most ${maxDays} days.` }),
      reasonInput('What will use the token, and why it needs this service account'),
    ],
  });
}

const GRACE: [string, string][] = [
  ['Cut the old token off at once', '0'],
  ['1 hour', '1'],
  ['24 hours', '24'],
  ['3 days', '72'],
  ['7 days', '168'],
];

export function rotateModal(token?: KeyRecord): ModalView {
  const initial = GRACE[2]!;
  return requestModal({
    callbackId: NEXTGEN_MODALS.rotate,
    title: 'Rotate a Harness token',
    blocks: [
      tokenPicker('The new token keeps the same expiry; the old value works until the grace period ends.', token),
      {
        type: 'input',
        block_id: FIELDS.graceBlock,
        label: plain('Old token keeps working for'),
        element: {
          type: 'static_select',
          action_id: FIELDS.graceAction,
          options: GRACE.map(([text, value]) => option(text, value)),
          initial_option: option(initial[0], initial[1]),
        },
      },
      reasonInput('Why rotate now (a leak? a routine rotation?)'),
    ],
  });
}

export function updateTokenModal(maxDays: number): ModalView {
  return requestModal({
    callbackId: NEXTGEN_MODALS.update,
    title: 'Change a Harness token',
    blocks: [
      tokenPicker('Rename it, or change when it expires.'),
      nameInput({ label: 'New name (blank: keep it)', hint: 'Letters, digits, spaces and - _ . / only.', optional: true }),
      daysInput({ label: 'New validity in days (blank: keep it)', maxDays, optional: true, hint: `Counted from the approval; at most ${maxDays} days.` }),
      reasonInput(),
    ],
  });
}

export function deleteTokenModal(): ModalView {
  return requestModal({
    callbackId: NEXTGEN_MODALS.delete,
    title: 'Revoke a Harness token',
    blocks: [
      tokenPicker('Tokens the bot created. Type to search.'),
      {
        type: 'input',
        block_id: FIELDS.scopeBlock,
        label: plain('What to delete'),
        element: {
          type: 'radio_buttons',
          action_id: FIELDS.scopeAction,
          options: [option('This token only', 'token'), option('The whole API key, with every token under it', 'key')],
          initial_option: option('This token only', 'token'),
        },
      },
      reasonInput(),
      {
        type: 'input',
        block_id: FIELDS.confirmBlock,
        label: plain('Confirm'),
        element: {
          type: 'checkboxes',
          action_id: FIELDS.confirmAction,
          options: [option('I understand it stops working as soon as this is approved', 'confirmed')],
        },
      },
    ],
  });
}

/** The token's value, shown once in a modal (a modal is not kept in the conversation's history). */
export function revealModal(request: { keyName: string }, value: string, validTo?: number): ModalView {
  return {
    type: 'modal',
    callback_id: REVEAL_MODAL.callbackId,
    title: plain('Your new token'),
    close: plain('Done'),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(truncate(request.keyName, 200))}*: copy the value now and store it in your secret manager. It is shown this once; the bot keeps no copy.` } },
      { type: 'section', text: { type: 'mrkdwn', text: `\`${value}\`` } },
      ...(validTo ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `Valid until ${new Date(validTo).toISOString().slice(0, 16).replace('T', ' ')} UTC.` }] }] : []),
    ],
  };
}
