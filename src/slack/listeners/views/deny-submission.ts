import type { App } from '@slack/bolt';
import { DENY_MODAL } from '../../ids';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

/** Deny modal submitted: the decision is re-checked on the server and recorded before the modal closes. */
export function registerDenySubmission(app: App, deps: ListenerDeps): void {
  app.view(DENY_MODAL.callbackId, async ({ ack, body, view }) => {
    const reason = (view.state.values[DENY_MODAL.reasonBlock]?.[DENY_MODAL.reasonAction]?.value ?? '').trim();
    const showError = (message: string) => ack({ response_action: 'errors', errors: { [DENY_MODAL.reasonBlock]: message } });
    try {
      const outcome = await deps.requests.deny(view.private_metadata, body.user.id, reason);
      await (outcome.ok ? ack() : showError(outcome.message));
    } catch (err) {
      await showError(reportError(deps.logger, err, { userId: body.user.id, requestId: view.private_metadata, view: DENY_MODAL.callbackId }));
    }
  });
}
