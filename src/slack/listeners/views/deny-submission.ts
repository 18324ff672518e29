import type { ListenerRouter } from '../router';
import { userMessage } from '../../../errors';
import { DENY_MODAL } from '../../ids';
import type { ListenerDeps } from '../deps';

/** Deny modal submitted: the decision is re-checked on the server, then recorded atomically. */
export function registerDenySubmission(routes: ListenerRouter, deps: ListenerDeps): void {
  routes.view(DENY_MODAL.callbackId, async ({ ack, body, view }) => {
    const reason = (view.state.values[DENY_MODAL.reasonBlock]?.[DENY_MODAL.reasonAction]?.value ?? '').trim();
    let outcome;
    try {
      outcome = await deps.requests.deny(view.private_metadata, body.user.id, reason);
    } catch (err) {
      deps.logger.warn('deny could not be recorded', err, { userId: body.user.id, requestId: view.private_metadata });
      await ack({ response_action: 'errors', errors: { [DENY_MODAL.reasonBlock]: userMessage(err) } });
      return;
    }
    if (!outcome.ok || !outcome.request) {
      await ack({ response_action: 'errors', errors: { [DENY_MODAL.reasonBlock]: outcome.message } });
      return;
    }
    await ack();
    deps.jobs.run({ type: 'denied', request: outcome.request, audit: outcome.audit });
  });
}
