import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { denyModal } from '../../views/deny-modal';
import type { ListenerDeps } from '../deps';

/** Deny button: ack, check the clicker may decide, and ask for a reason in a modal (its trigger lives 3 s). */
export function registerDenyAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.deny, async ({ ack, body, action, client }) => {
    await ack();
    const allowed = await deps.requests.authorize(action.value ?? '', body.user.id, 'deny');
    if (allowed.ok && allowed.request) await client.views.open({ trigger_id: body.trigger_id, view: denyModal(allowed.request) });
    else await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: allowed.message });
  });
}
