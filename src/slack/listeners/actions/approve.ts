import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';

/** Approve button: ack at once, then decide (atomically) and execute; a refusal is told to the clicker only. */
export function registerApproveAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action, client }) => {
    await ack();
    const outcome = await deps.work.run(() => deps.requests.approve(action.value ?? '', body.user.id));
    if (!outcome.ok) await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: outcome.message });
  });
}
