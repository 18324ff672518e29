import type { App, BlockStaticSelectAction } from '@slack/bolt';
import { FIELDS, UPDATE_MODAL } from '../../ids';
import { updateModal } from '../../views/key-change-modals';
import type { ListenerDeps } from '../deps';

/**
 * A key picked in the update modal: redraw the modal with its current name and groups prefilled
 * (the registry is the only place that knows them; Harness has no query that reads keys).
 */
export function registerKeyPicked(app: App, deps: ListenerDeps): void {
  app.action<BlockStaticSelectAction>(FIELDS.keyAction, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== UPDATE_MODAL.callbackId) return;
    const uuid = action.selected_option?.value;
    try {
      const key = uuid ? await deps.queries.getKey(uuid) : undefined;
      await client.views.update({ view_id: view.id, hash: view.hash, view: updateModal(key && !key.deletedAt ? key : undefined) });
    } catch (err) {
      // The modal still works without the prefill: the person types the full new values.
      deps.logger.warn('could not prefill the update modal', err, { uuid });
    }
  });
}
