import type { App } from '@slack/bolt';
import { COMMAND } from '../../ids';
import { createModal } from '../../views/create-modal';
import { helpText } from '../../views/messages';
import { storeUnavailable } from '../../../errors';
import type { ListenerDeps } from '../deps';
import { replyWithError } from '../reply-error';

/** `/apikey <subcommand>`: open the matching modal, or show usage. */
export function registerApikeyCommand(app: App, deps: ListenerDeps): void {
  app.command(COMMAND, async ({ command, ack, client, respond }) => {
    const [sub = 'help'] = command.text.trim().split(/\s+/).filter(Boolean);
    switch (sub.toLowerCase()) {
      case 'create': {
        if (!deps.storeReady()) {
          await ack({ response_type: 'ephemeral', text: storeUnavailable().message });
          return;
        }
        await ack();
        // trigger_id lives 3 s and works once: open the modal before anything slow.
        try {
          await client.views.open({ trigger_id: command.trigger_id, view: createModal() });
        } catch (err) {
          await replyWithError(deps.logger, err, { command: 'create', userId: command.user_id }, (text) =>
            respond({ response_type: 'ephemeral', text }),
          );
          return;
        }
        deps.groups.warm();
        return;
      }
      default:
        await ack({ response_type: 'ephemeral', text: helpText() });
    }
  });
}
