import type { App } from '@slack/bolt';
import { DENY_MODAL } from '../../ids';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';
import { REQUEST_ID } from '../payload-guard';
import { REASON_MAX, freeText } from '../../../domain/key-request-input';

const denyReason = freeText('', REASON_MAX);

/** Deny modal submitted: the decision is re-checked on the server and recorded before the modal closes. */
export function registerDenySubmission(app: App, deps: ListenerDeps): void {
  app.view(DENY_MODAL.callbackId, async ({ ack, body, view }) => {
    const showError = (message: string) => ack({ response_action: 'errors', errors: { [DENY_MODAL.reasonBlock]: message } });
    const typed = view.state?.values?.[DENY_MODAL.reasonBlock]?.[DENY_MODAL.reasonAction]?.value ?? '';
    const reason = typed.trim() === '' ? { success: true as const, data: '' } : denyReason.safeParse(typed);
    if (!reason.success) return showError(reason.error.issues[0]?.message ?? 'That reason cannot be sent.');
    if (!REQUEST_ID.test(view.private_metadata)) return showError('This form does not belong to a request of this bot.');
    try {
      const outcome = await deps.requests.deny(view.private_metadata, body.user.id, reason.data, { kind: 'deny-modal', viewId: view.id });
      await (outcome.ok ? ack() : showError(outcome.message));
    } catch (err) {
      await showError(reportError(deps.logger, err, { userId: body.user.id, requestId: view.private_metadata, view: DENY_MODAL.callbackId }));
    }
  });
}
