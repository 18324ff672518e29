import type { BlockButtonAction } from '@slack/bolt';
import type { ListenerRouter } from '../router';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';

/** Approve button: ack at once; the decision (atomic) and the execution run as a job. */
export function registerApproveAction(routes: ListenerRouter, deps: ListenerDeps): void {
  routes.action<BlockButtonAction>(ACTIONS.approve, async ({ ack, body, action }) => {
    await ack();
    deps.jobs.run({ type: 'approve', requestId: action.value ?? '', actorId: body.user.id, channelId: body.channel?.id ?? body.user.id });
  });
}
