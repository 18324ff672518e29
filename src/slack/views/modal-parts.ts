import { KEY_NAME_MAX, REASON_MAX } from '../../domain/key-request-input';
import { FIELDS } from '../ids';
import type { KnownBlock, ModalView, PlainTextOption } from './block-kit';
import { truncate } from './format';
import { withRevision } from './view-state';

/** Pieces the create, update and delete modals share, so their inputs cannot drift apart. */

export function requestModal(options: { callbackId: string; title: string; blocks: KnownBlock[]; privateMetadata?: string }): ModalView {
  return {
    type: 'modal',
    callback_id: options.callbackId,
    ...(options.privateMetadata !== undefined ? { private_metadata: options.privateMetadata } : {}),
    title: { type: 'plain_text', text: options.title },
    submit: { type: 'plain_text', text: 'Request approval' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: options.blocks,
  };
}

export const groupOption = (g: { id: string; name: string }): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(g.name, 75) },
  value: g.id,
});

type InputBlock = Extract<KnownBlock, { type: 'input' }>;

/** The envelope every modal input shares: block id (with revision), label, optional hint. */
function inputBlock(options: { blockId: string; label: string; hint?: string; optional?: boolean; element: InputBlock['element'] }): InputBlock {
  return {
    type: 'input',
    block_id: options.blockId,
    ...(options.optional ? { optional: true } : {}),
    label: { type: 'plain_text', text: options.label },
    ...(options.hint ? { hint: { type: 'plain_text' as const, text: options.hint } } : {}),
    element: options.element,
  };
}

/** `revision` renames the block so Slack shows a new `initial` value (see view-state.ts). */
export function nameInput(options: { label: string; revision?: string; initial?: string; hint?: string; optional?: boolean }): KnownBlock {
  return inputBlock({
    blockId: withRevision(FIELDS.nameBlock, options.revision),
    label: options.label,
    hint: options.hint,
    optional: options.optional,
    element: {
      type: 'plain_text_input',
      action_id: FIELDS.nameAction,
      max_length: KEY_NAME_MAX,
      ...(options.initial !== undefined ? { initial_value: options.initial } : { placeholder: { type: 'plain_text' as const, text: 'ci-deploy-bot' } }),
    },
  });
}

export function groupsInput(options: { label: string; revision?: string; initial?: { id: string; name: string }[]; hint?: string }): KnownBlock {
  const initial = options.initial?.slice(0, 100) ?? [];
  return inputBlock({
    blockId: withRevision(FIELDS.groupsBlock, options.revision),
    label: options.label,
    hint: options.hint,
    element: {
      type: 'multi_external_select',
      action_id: FIELDS.groupsAction,
      min_query_length: 0,
      placeholder: { type: 'plain_text', text: 'Search user groups' },
      ...(initial.length > 0 ? { initial_options: initial.map(groupOption) } : {}),
    },
  });
}

export function reasonInput(placeholder?: string): KnownBlock {
  return inputBlock({
    blockId: FIELDS.reasonBlock,
    label: 'Reason',
    element: {
      type: 'plain_text_input',
      action_id: FIELDS.reasonAction,
      multiline: true,
      max_length: REASON_MAX,
      ...(placeholder ? { placeholder: { type: 'plain_text' as const, text: placeholder } } : {}),
    },
  });
}
