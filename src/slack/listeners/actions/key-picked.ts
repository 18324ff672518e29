import type { BlockStaticSelectAction } from '@slack/bolt';
import type { ListenerRouter } from '../router';
import { FIELDS, UPDATE_MODAL } from '../../ids';
import type { ListenerDeps } from '../deps';

/** A key picked in the update modal: redraw it with the key's current name and groups (a job). */
export function registerKeyPicked(routes: ListenerRouter, deps: ListenerDeps): void {
  routes.action<BlockStaticSelectAction>(FIELDS.keyAction, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== UPDATE_MODAL.callbackId) return;
    deps.jobs.run({ type: 'keyPicked', viewId: view.id, hash: view.hash, uuid: action.selected_option?.value });
  });
}
