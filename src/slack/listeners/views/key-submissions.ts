import type { ListenerRouter } from '../router';
import type { KeyRequestField } from '../../../domain/key-request-input';
import { userMessage } from '../../../errors';
import type { Submission } from '../../../services/submissions';
import { CREATE_MODAL, DELETE_MODAL, FIELDS, UPDATE_MODAL } from '../../ids';
import { presentBlockId, readMulti, readSelected, readText } from '../../views/view-state';
import type { ListenerDeps } from '../deps';

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
 * modal open with everything typed, inline), then ack, then announce to approvers.
 */
function register(routes: ListenerRouter, deps: ListenerDeps, callbackId: string, submit: (userId: string, values: unknown) => Promise<Submission>) {
  routes.view(callbackId, async ({ ack, body, view }) => {
    const values = view.state.values;
    let result: Submission;
    try {
      result = await submit(body.user.id, values);
    } catch (err) {
      deps.logger.warn('submission could not be stored', err, { userId: body.user.id, callbackId });
      await ack({ response_action: 'errors', errors: { [presentBlockId(values, FIELDS.reasonBlock)]: userMessage(err) } });
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
    deps.jobs.run({ type: 'announce', request: result.request, audit: result.audit });
  });
}

export function registerKeySubmissions(routes: ListenerRouter, deps: ListenerDeps): void {
  register(routes, deps, CREATE_MODAL.callbackId, (userId, v) => deps.submissions.create(userId, readers.create(v)));
  register(routes, deps, UPDATE_MODAL.callbackId, (userId, v) => deps.submissions.update(userId, { ...readers.keyRef(v), ...readers.create(v) }));
  register(routes, deps, DELETE_MODAL.callbackId, (userId, v) =>
    deps.submissions.delete(userId, { ...readers.keyRef(v), reason: readText(v, FIELDS.reasonBlock, FIELDS.reasonAction), confirmed: readers.confirmed(v) }),
  );
}
