import { AppError, userMessage } from '../../errors';
import { HarnessError } from '../../harness/harness-error';
import type { AppLogger } from '../../logger';

/**
 * The one place an error ends inside a listener: expected errors become their message for the
 * person; anything else is logged with context (never swallowed) and gets a generic sentence.
 */
export async function replyWithError(
  logger: AppLogger,
  err: unknown,
  context: Record<string, unknown>,
  reply: (text: string) => Promise<unknown>,
): Promise<void> {
  if (err instanceof AppError || err instanceof HarnessError) logger.warn(`${err.name} ${(err as AppError).code ?? ''}`.trim(), err, context);
  else logger.error('unexpected error in a listener', err, context);
  await reply(userMessage(err)).catch((replyErr: unknown) => logger.error('could not send the error reply', replyErr, context));
}
