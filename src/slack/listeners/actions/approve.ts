import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';
import { REQUEST_ID, notARequest } from '../payload-guard';

/** Approve button: ack at once, then decide (atomically) and execute; a refusal is told to the clicker only. */
export function registerApproveAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action, client }) => {
    await ack();
    if (!REQUEST_ID.test(action.value ?? '')) return notARequest(client, body);
    const origin = { kind: 'message' as const, channelId: body.channel?.id, messageTs: body.container?.message_ts as string | undefined };
    const outcome = await deps.work.run(() => deps.requests.approve(action.value ?? '', body.user.id, origin));
    if (!outcome.ok) await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: outcome.message });
  });
}
