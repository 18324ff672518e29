import type { BlockButtonAction } from '@slack/bolt';
import type { ListenerRouter } from '../router';
import { ACTIONS } from '../../ids';
import type { ListenerDeps } from '../deps';

/** Deny button: ack, then (as a job) check the clicker may decide and ask for a reason in a modal. */
export function registerDenyAction(routes: ListenerRouter, deps: ListenerDeps): void {
  routes.action<BlockButtonAction>(ACTIONS.deny, async ({ ack, body, action }) => {
    await ack();
    deps.jobs.run({
      type: 'denyClicked',
      requestId: action.value ?? '',
      actorId: body.user.id,
      channelId: body.channel?.id ?? body.user.id,
      triggerId: body.trigger_id,
    });
  });
}
