import type { App } from '@slack/bolt';
import { storeUnavailable } from '../../../errors';
import { COMMAND } from '../../ids';
import { auditPage } from '../../views/audit-view';
import type { ModalView } from '../../views/block-kit';
import { createModal } from '../../views/create-modal';
import { deleteModal, updateModal } from '../../views/key-change-modals';
import { listMessage } from '../../views/list-message';
import { helpText } from '../../views/messages';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

/** Subcommands that open a modal; `warmGroups` starts loading the group picker's list meanwhile. */
const MODALS = new Map<string, { view: () => ModalView; warmGroups: boolean }>([
  ['create', { view: createModal, warmGroups: true }],
  ['update', { view: () => updateModal(), warmGroups: true }],
  ['delete', { view: deleteModal, warmGroups: false }],
]);

/** `/apikey <subcommand> [args]`: open the matching modal, answer a query, or show usage. */
export function registerApikeyCommand(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, async ({ command, ack, client }) => {
    const [first = 'help', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
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
          return await reply({ text: helpText() });
        default:
          return await reply({ text: helpText(first) });
      }
    } catch (err) {
      await reply({ text: reportError(deps.logger, err, { command: COMMAND, subcommand: sub, userId: command.user_id }) });
    }
  });
}
