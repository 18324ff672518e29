import type { App } from '@slack/bolt';
import { storeUnavailable } from '../../../errors';
import { COMMAND } from '../../ids';
import { auditPage } from '../../views/audit-view';
import type { ModalView } from '../../views/block-kit';
import { createModal } from '../../views/create-modal';
import { deleteModal, updateModal } from '../../views/key-change-modals';
import { listMessage } from '../../views/list-message';
import { createTokenModal, deleteTokenModal, rotateModal, updateTokenModal } from '../../views/token-modals';
import { helpText } from '../../views/messages';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

type Modal = { view: () => ModalView; warmGroups: boolean };

/**
 * Subcommands that open a modal, per Harness generation (what the modal asks for is the one
 * difference people see); `warmGroups` starts loading the create modal's picker meanwhile.
 */
function modalsFor(harness: ListenerDeps['harness']): Map<string, Modal> {
  if (harness.generation === 'nextgen') {
    return new Map<string, Modal>([
      ['create', { view: () => createTokenModal(harness.maxDays), warmGroups: true }],
      ['rotate', { view: () => rotateModal(), warmGroups: false }],
      ['update', { view: () => updateTokenModal(harness.maxDays), warmGroups: false }],
      ['delete', { view: deleteTokenModal, warmGroups: false }],
    ]);
  }
  return new Map<string, Modal>([
    ['create', { view: createModal, warmGroups: true }],
    ['update', { view: () => updateModal(), warmGroups: true }],
    ['delete', { view: deleteModal, warmGroups: false }],
  ]);
}

/** `/apikey <subcommand> [args]`: open the matching modal, answer a query, or show usage. */
export function registerApikeyCommand(app: App, deps: ListenerDeps): void {
  const MODALS = modalsFor(deps.harness);
  app.command(COMMAND, async ({ command, ack, client }) => {
    const [first = 'help', ...rest] = String(command.text ?? '').trim().split(/\s+/).filter(Boolean);
    const sub = first.toLowerCase();
    const reply = (r: { text: string; blocks?: unknown[] }) => ack({ response_type: 'ephemeral', ...r });

    const modal = MODALS.get(sub);
    if (modal) {
      if (!deps.storeReady()) return reply({ text: storeUnavailable().message });
      await ack();
      // trigger_id lives 3 s and works once: open the modal before anything slow.
      await client.views.open({ trigger_id: command.trigger_id, view: modal.view() });
      if (modal.warmGroups) deps.groups.warm();
      return;
    }
    try {
      switch (sub) {
        case 'list':
          return await reply(listMessage(await deps.queries.overview(command.user_id)));
        case 'audit': {
          const review = await deps.queries.auditReview(command.user_id, rest.join(' '));
          return await reply(review.ok ? auditPage(review) : { text: review.message });
        }
        case 'help':
          return await reply({ text: helpText(undefined, deps.harness.generation) });
        case 'rotate':
          return await reply({ text: 'Harness FirstGen API keys cannot be rotated: request a new key with `/apikey create`, then delete the old one.' });
        default:
          return await reply({ text: helpText(first, deps.harness.generation) });
      }
    } catch (err) {
      await reply({ text: reportError(deps.logger, err, { command: COMMAND, subcommand: sub, userId: command.user_id }) });
    }
  });
}
