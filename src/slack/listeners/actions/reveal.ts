import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { revealModal, rotateModal } from '../../views/token-modals';
import type { ListenerDeps } from '../deps';
import { REQUEST_ID, notARequest } from '../payload-guard';

/**
 * "Reveal token" in the requester's DM: the value leaves Redis once and goes into a modal (not
 * kept in the conversation's history, unlike a message). If the modal cannot open, it goes back.
 */
export function registerRevealAction(app: App, deps: ListenerDeps): void {
  const reveal = deps.reveal;
  if (!reveal) return;
  app.action<BlockButtonAction>(ACTIONS.reveal, async ({ ack, body, action, client }) => {
    await ack();
    if (!REQUEST_ID.test(action.value ?? '')) return notARequest(client, body);
    const outcome = await reveal.reveal(action.value ?? '', body.user.id);
    if (!outcome.ok) {
      await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: outcome.message });
      return;
    }
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: revealModal(outcome.request, outcome.value, outcome.validTo) });
    } catch (err) {
      await outcome.putBack();
      deps.logger.warn('reveal modal could not open; the value was put back', err, { requestId: outcome.request.id });
      await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: 'The token could not be shown just now; it is still kept for you. Press Reveal token again.' });
      return;
    }
    await outcome.shown();
  });

  /** "Request a rotation" once a value was lost: the rotate modal, with that token picked. */
  app.action<BlockButtonAction>(ACTIONS.requestRotation, async ({ ack, body, action, client }) => {
    await ack();
    const token = action.value ? await deps.queries.getKey(action.value) : undefined;
    await client.views.open({ trigger_id: body.trigger_id, view: rotateModal(token?.nextgen && !token.deletedAt ? token : undefined) });
  });
}
