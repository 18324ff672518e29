import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';
import { replyWithError } from '../reply-error';

/** Approve button: ack at once, decide atomically, execute; refusals go back as an ephemeral reply. */
export function registerApproveAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action }) => {
    await ack();
    const userId = body.user.id;
    const channelId = body.channel?.id ?? userId;
    try {
      const outcome = await deps.requests.approve(action.value ?? '', userId);
      if (!outcome.ok) await deps.notifier.ephemeral(channelId, userId, outcome.message);
    } catch (err) {
      await replyWithError(deps.logger, err, { action: 'approve', userId, requestId: action.value }, (text) =>
        deps.notifier.ephemeral(channelId, userId, text),
      );
    }
  });
}
