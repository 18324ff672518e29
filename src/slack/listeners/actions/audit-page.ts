import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { ACTIONS } from '../../ids';
import { auditPage } from '../../views/audit-view';
import type { ListenerDeps } from '../deps';

const cursor = z.object({ q: z.string(), before: z.string().regex(/^\d+-\d+$/) });

/** "Older events" under an audit page: the same query from the cursor on, authorised again. */
export function registerAuditPage(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(ACTIONS.auditPage, async ({ ack, body, action, respond }) => {
    await ack();
    let parsed;
    try {
      parsed = cursor.parse(JSON.parse(action.value ?? ''));
    } catch {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That page link is not valid any more. Run the audit command again.' });
      return;
    }
    const review = await deps.queries.auditReview(body.user.id, parsed.q, parsed.before);
    await respond(review.ok ? { response_type: 'ephemeral', replace_original: true, ...auditPage(review) } : { response_type: 'ephemeral', text: review.message });
  });
}
