import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { KeyRequestField } from '../../../domain/key-request-input';
import { userMessage } from '../../../errors';
import { CREATE_MODAL } from '../../ids';
import type { ListenerDeps } from '../deps';

const BLOCK_OF: Record<KeyRequestField, string> = {
  name: CREATE_MODAL.nameBlock,
  userGroupIds: CREATE_MODAL.groupsBlock,
  reason: CREATE_MODAL.reasonBlock,
};

const valueOf = z.object({ value: z.string().nullish() }).optional();
const stateSchema = z.object({
  [CREATE_MODAL.nameBlock]: z.object({ [CREATE_MODAL.nameAction]: valueOf }).optional(),
  [CREATE_MODAL.groupsBlock]: z
    .object({ [CREATE_MODAL.groupsAction]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }).optional() })
    .optional(),
  [CREATE_MODAL.reasonBlock]: z.object({ [CREATE_MODAL.reasonAction]: valueOf }).optional(),
});

/** Reads the create modal's state; a missing field becomes `undefined` and fails validation with words. */
export function readCreateState(values: unknown): { name: unknown; userGroupIds: unknown; reason: unknown } {
  const parsed = stateSchema.safeParse(values);
  const s = parsed.success ? parsed.data : {};
  return {
    name: s[CREATE_MODAL.nameBlock]?.[CREATE_MODAL.nameAction]?.value ?? undefined,
    userGroupIds: (s[CREATE_MODAL.groupsBlock]?.[CREATE_MODAL.groupsAction]?.selected_options ?? []).map((o) => o.value),
    reason: s[CREATE_MODAL.reasonBlock]?.[CREATE_MODAL.reasonAction]?.value ?? undefined,
  };
}

export function registerCreateSubmission(app: App, deps: ListenerDeps): void {
  app.view(CREATE_MODAL.callbackId, async ({ ack, body, view }) => {
    let result;
    try {
      result = await deps.requests.submitCreate(body.user.id, readCreateState(view.state.values));
    } catch (err) {
      // Keep the modal open with everything typed, and say why nothing was submitted.
      deps.logger.warn('create submission could not be stored', err, { userId: body.user.id });
      await ack({ response_action: 'errors', errors: { [CREATE_MODAL.nameBlock]: userMessage(err) } });
      return;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors)) errors[BLOCK_OF[field as KeyRequestField]] = message;
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await deps.requests.announce(result.request, result.audit);
  });
}
