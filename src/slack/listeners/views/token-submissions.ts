import type { App } from '@slack/bolt';
import type { TokenField } from '../../../services/token-submissions';
import { FIELDS, NEXTGEN_MODALS } from '../../ids';
import { presentBlockId, readMulti, readSelected, readText } from '../../views/view-state';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

const BLOCK_OF: Record<TokenField, string> = {
  serviceAccount: FIELDS.serviceAccountBlock,
  name: FIELDS.nameBlock,
  validity: FIELDS.validityBlock,
  token: FIELDS.tokenBlock,
  grace: FIELDS.graceBlock,
  scope: FIELDS.scopeBlock,
  reason: FIELDS.reasonBlock,
  confirm: FIELDS.confirmBlock,
};

const text = (v: unknown, block: string, action: string) => readText(v, block, action);
const reason = (v: unknown) => text(v, FIELDS.reasonBlock, FIELDS.reasonAction);
const token = (v: unknown) => readSelected(v, FIELDS.tokenBlock, FIELDS.tokenAction);

/** NextGen's four modals: validated and stored before the ack, so problems show inline. */
export function registerTokenSubmissions(app: App, deps: ListenerDeps): void {
  const tokens = deps.tokens;
  if (!tokens) return;
  const submit = {
    [NEXTGEN_MODALS.create]: (user: string, v: unknown) =>
      tokens.create(user, {
        serviceAccountId: readSelected(v, FIELDS.serviceAccountBlock, FIELDS.serviceAccountAction),
        name: text(v, FIELDS.nameBlock, FIELDS.nameAction),
        days: text(v, FIELDS.validityBlock, FIELDS.validityAction),
        reason: reason(v),
      }),
    [NEXTGEN_MODALS.rotate]: (user: string, v: unknown) =>
      tokens.rotate(user, { token: token(v), graceHours: readSelected(v, FIELDS.graceBlock, FIELDS.graceAction), reason: reason(v) }),
    [NEXTGEN_MODALS.update]: (user: string, v: unknown) =>
      tokens.update(user, { token: token(v), name: text(v, FIELDS.nameBlock, FIELDS.nameAction), days: text(v, FIELDS.validityBlock, FIELDS.validityAction), reason: reason(v) }),
    [NEXTGEN_MODALS.delete]: (user: string, v: unknown) =>
      tokens.delete(user, {
        token: token(v),
        scope: readSelected(v, FIELDS.scopeBlock, FIELDS.scopeAction),
        reason: reason(v),
        confirmed: readMulti(v, FIELDS.confirmBlock, FIELDS.confirmAction).includes('confirmed'),
      }),
  };
  for (const [callbackId, file] of Object.entries(submit)) {
    app.view(callbackId, async ({ ack, body, view }) => {
      const values: unknown = view.state?.values ?? {};
      try {
        const result = await file(body.user.id, values);
        if (result.ok) return await ack();
        const errors: Record<string, string> = {};
        for (const [field, message] of Object.entries(result.errors)) {
          if (message) errors[presentBlockId(values, BLOCK_OF[field as TokenField])] = message;
        }
        await ack({ response_action: 'errors', errors });
      } catch (err) {
        const message = reportError(deps.logger, err, { userId: body.user.id, view: callbackId });
        await ack({ response_action: 'errors', errors: { [presentBlockId(values, FIELDS.reasonBlock)]: message } });
      }
    });
  }
}
