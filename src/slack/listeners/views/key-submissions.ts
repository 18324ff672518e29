import type { App } from '@slack/bolt';
import type { KeyRequestField } from '../../../domain/key-request-input';
import type { Submission } from '../../../services/submissions';
import { CREATE_MODAL, DELETE_MODAL, FIELDS, UPDATE_MODAL } from '../../ids';
import { presentBlockId, readMulti, readSelected, readText } from '../../views/view-state';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

const BLOCK_OF: Record<KeyRequestField, string> = {
  name: FIELDS.nameBlock,
  userGroupIds: FIELDS.groupsBlock,
  reason: FIELDS.reasonBlock,
  key: FIELDS.keyBlock,
  confirm: FIELDS.confirmBlock,
};

/** What each modal's state means; a missing field reads as undefined and fails validation with words. */
export const readers = {
  create: (v: unknown) => ({
    name: readText(v, FIELDS.nameBlock, FIELDS.nameAction),
    userGroupIds: readMulti(v, FIELDS.groupsBlock, FIELDS.groupsAction),
    reason: readText(v, FIELDS.reasonBlock, FIELDS.reasonAction),
  }),
  keyRef: (v: unknown) => ({
    keyPicked: readSelected(v, FIELDS.keyBlock, FIELDS.keyAction),
    keyTyped: readText(v, FIELDS.uuidBlock, FIELDS.uuidAction),
  }),
  confirmed: (v: unknown) => readMulti(v, FIELDS.confirmBlock, FIELDS.confirmAction).includes('confirmed'),
};

/**
 * One shape for the three key modals: validate and store before acking (so a problem keeps the
 * modal open with everything typed, inline); the stored request owes its approval message and
 * DM, which the outbox delivers right after the ack.
 */
function register(app: App, deps: ListenerDeps, callbackId: string, submit: (userId: string, values: unknown) => Promise<Submission>) {
  app.view(callbackId, async ({ ack, body, view }) => {
    const values: unknown = view.state?.values ?? {};
    let result: Submission;
    try {
      result = await submit(body.user.id, values);
    } catch (err) {
      const message = reportError(deps.logger, err, { userId: body.user.id, view: callbackId });
      await ack({ response_action: 'errors', errors: { [presentBlockId(values, FIELDS.reasonBlock)]: message } });
      return;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors)) {
        if (message) errors[presentBlockId(values, BLOCK_OF[field as KeyRequestField])] = message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
  });
}

export function registerKeySubmissions(app: App, deps: ListenerDeps): void {
  register(app, deps, CREATE_MODAL.callbackId, (userId, v) => deps.submissions.create(userId, readers.create(v)));
  register(app, deps, UPDATE_MODAL.callbackId, (userId, v) => deps.submissions.update(userId, { ...readers.keyRef(v), ...readers.create(v) }));
  register(app, deps, DELETE_MODAL.callbackId, (userId, v) =>
    deps.submissions.delete(userId, { ...readers.keyRef(v), reason: readText(v, FIELDS.reasonBlock, FIELDS.reasonAction), confirmed: readers.confirmed(v) }),
  );
}
