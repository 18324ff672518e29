import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { denyModal } from '../../views/deny-modal';
import type { ListenerDeps } from '../deps';
import { REQUEST_ID, notARequest } from '../payload-guard';

/** Deny button: ack, check the clicker may decide, and ask for a reason in a modal (its trigger lives 3 s). */
export function registerDenyAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.deny, async ({ ack, body, action, client }) => {
    await ack();
    if (!REQUEST_ID.test(action.value ?? '')) return notARequest(client, body);
    const origin = { kind: 'message' as const, channelId: body.channel?.id, messageTs: body.container?.message_ts as string | undefined };
    const allowed = await deps.requests.authorize(action.value ?? '', body.user.id, 'deny', origin);
    if (allowed.ok && allowed.request) {
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: denyModal(allowed.request) });
      if (opened.view?.id) await deps.requests.denyModalOpened(opened.view.id, allowed.request.id);
    } else await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: allowed.message });
  });
}
