import type { App, BlockStaticSelectAction } from '@slack/bolt';
import { FIELDS, UPDATE_MODAL } from '../../ids';
import { updateModal } from '../../views/key-change-modals';
import type { ListenerDeps } from '../deps';

/** A key picked in the update modal: redraw it with the key's current name and groups. */
export function registerKeyPicked(app: App, deps: ListenerDeps): void {
  app.action<BlockStaticSelectAction>(FIELDS.keyAction, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== UPDATE_MODAL.callbackId) return;
    // Harness has no query that reads keys: the registry is the only source of the prefill.
    const uuid = action.selected_option?.value;
    const key = uuid ? await deps.queries.getKey(uuid) : undefined;
    await client.views.update({ view_id: view.id, hash: view.hash, view: updateModal(key && !key.deletedAt ? key : undefined) });
  });
}
