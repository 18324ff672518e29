import type { App, webApi } from '@slack/bolt';
import type { AppLogger } from '../../logger';

export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
export const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Runs before every listener: a payload whose acting user is not shaped like a Slack user id is
 * acknowledged and dropped, so no forged id is ever stored, mentioned or indexed. (Slack itself
 * never sends one; a signed request that does is a buggy or compromised sender.)
 */
export function registerPayloadGuard(app: App, logger: AppLogger): void {
  app.use(async ({ body, next, ack }: { body: unknown; next: () => Promise<void>; ack?: (r?: undefined) => Promise<void> }) => {
    const b = (body ?? {}) as { user_id?: unknown; user?: { id?: unknown }; event?: { user?: unknown }; type?: string };
    const user = b.user_id ?? b.user?.id ?? b.event?.user;
    if (typeof user === 'string' && SLACK_USER_ID.test(user)) return next();
    // Events of other kinds carry no acting user the bot uses (and Bolt acks events itself).
    if (user === undefined && b.type === 'event_callback') return next();
    logger.warn('payload without a valid Slack user id dropped', { type: b.type });
    if (ack) await ack();
  });
}

/** The answer to a button whose request id is not one the bot could have written (never echoed back). */
export async function notARequest(client: webApi.WebClient, body: { user: { id: string }; channel?: { id?: string } }): Promise<void> {
  await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text: 'That button does not belong to a request of this bot. Nothing was changed.' });
}
