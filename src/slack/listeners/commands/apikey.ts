import type { App } from '@slack/bolt';
import { storeUnavailable, userMessage } from '../../../errors';
import { COMMAND } from '../../ids';
import { auditPage } from '../../views/audit-view';
import type { ModalView } from '../../views/block-kit';
import { createModal } from '../../views/create-modal';
import { deleteModal, updateModal } from '../../views/key-change-modals';
import { listMessage } from '../../views/list-message';
import { helpText } from '../../views/messages';
import type { ListenerDeps } from '../deps';

type Reply = { response_type: 'ephemeral'; text: string; blocks?: unknown[] };

/** `/apikey <subcommand> [args]`: open the matching modal, answer a query, or show usage. */
export function registerApikeyCommand(app: App, deps: ListenerDeps): void {
  const modals: Record<string, () => ModalView> = { create: createModal, update: () => updateModal(), delete: deleteModal };

  app.command(COMMAND, async ({ command, ack }) => {
    const text = command.text.trim();
    const [first = 'help', ...rest] = text.split(/\s+/).filter(Boolean);
    const sub = first.toLowerCase();
    const reply = (r: Omit<Reply, 'response_type'>) => ack({ response_type: 'ephemeral', ...r });

    const modal = modals[sub];
    if (modal) {
      if (!deps.storeReady()) return reply({ text: storeUnavailable().message });
      await ack();
      deps.jobs.run({
        type: 'openView',
        triggerId: command.trigger_id,
        view: modal(),
        userId: command.user_id,
        channelId: command.channel_id,
        warmGroups: sub !== 'delete',
      });
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
      deps.logger.warn('slash command failed', err, { subcommand: sub, userId: command.user_id });
      await reply({ text: userMessage(err) });
    }
  });
}
