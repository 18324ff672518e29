import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { denyModal } from '../../views/deny-modal';
import type { ListenerDeps } from '../deps';
import { replyWithError } from '../reply-error';

/** Deny button: check the clicker may decide, then ask for an optional reason in a modal. */
export function registerDenyAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.deny, async ({ ack, body, action, client }) => {
    await ack();
    const userId = body.user.id;
    const channelId = body.channel?.id ?? userId;
    try {
      const allowed = await deps.requests.authorize(action.value ?? '', userId, 'deny');
      if (!allowed.ok || !allowed.request) {
        await deps.notifier.ephemeral(channelId, userId, allowed.message);
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: denyModal(allowed.request) });
    } catch (err) {
      await replyWithError(deps.logger, err, { action: 'deny', userId, requestId: action.value }, (text) =>
        deps.notifier.ephemeral(channelId, userId, text),
      );
    }
  });
}
