import type { App, BlockButtonAction } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';

/** Approve button: ack at once; the decision (atomic) and the execution run as a job. */
export function registerApproveAction(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action }) => {
    await ack();
    deps.jobs.run({ type: 'approve', requestId: action.value ?? '', actorId: body.user.id, channelId: body.channel?.id ?? body.user.id });
  });
}
