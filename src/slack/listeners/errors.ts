import type { App } from '@slack/bolt';
import type { ExtendedErrorHandlerArgs } from '@slack/bolt/dist/App';
import { isBug, isExpected, newErrorRef, userMessage } from '../../errors';
import type { AppLogger } from '../../logger';

/**
 * Where errors end. An expected one (an outage, a refusal by Harness) is logged as a warning and
 * its message shown; anything else is a bug: logged as an error with a ref the person is given.
 * Returns what the person should read.
 */
export function reportError(logger: AppLogger, err: unknown, context: Record<string, unknown>): string {
  if (isExpected(err)) {
    // An input Redis refused is told to the person like any input error, and logged as the bug it is.
    if (isBug(err)) logger.error('input reached Redis unvalidated', err, { ...context, code: err.code });
    else logger.warn(err.message, { ...context, code: err.code, err });
    return userMessage(err);
  }
  const ref = newErrorRef();
  logger.error('unexpected error', err, { ...context, ref });
  return userMessage(err, ref);
}

interface Body {
  type?: string;
  user_id?: string;
  channel_id?: string;
  user?: { id?: string };
  channel?: { id?: string };
  view?: { callback_id?: string };
  actions?: { action_id?: string }[];
  command?: string;
}

/** What no listener handled (thrown after its ack) ends here: logged with context, and the person told. */
export function registerErrorHandler(app: App, logger: AppLogger): void {
  // Needs `extendedErrorHandler: true` in the App options (app.ts) to receive the request body.
  app.error(async ({ error, body }: ExtendedErrorHandlerArgs) => {
    const original = (error as { original?: unknown }).original ?? error;
    const b = (body ?? {}) as Body;
    const userId = b.user_id ?? b.user?.id;
    const context = { type: b.type ?? (b.command ? 'command' : undefined), userId, action: b.actions?.[0]?.action_id, view: b.view?.callback_id };
    const text = reportError(logger, original, context);
    if (!userId) return;
    const channel = b.channel_id ?? b.channel?.id;
    try {
      if (channel) await app.client.chat.postEphemeral({ channel, user: userId, text });
      else await app.client.chat.postMessage({ channel: userId, text });
    } catch (err) {
      logger.warn('could not tell the person about an error', err, { userId });
    }
  });
}
