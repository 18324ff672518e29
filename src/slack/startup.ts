/**
 * Why the bot could not start talking to Slack, naming the variable to fix. Bolt's own errors say
 * `invalid_auth` or "fetch failed" without saying which setting or host is wrong.
 */
export function startupProblem(err: unknown, apiUrl: string): string {
  const e = err as { code?: string; data?: { error?: string }; original?: { code?: string; cause?: { code?: string } }; message?: string };
  const slackError = e.data?.error;
  if (slackError === 'invalid_auth' || slackError === 'not_authed' || slackError === 'account_inactive' || slackError === 'token_revoked') {
    return `Slack rejected SLACK_BOT_TOKEN (${slackError}): copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page.`;
  }
  if (slackError) return `Slack answered auth.test with "${slackError}": check SLACK_BOT_TOKEN and SLACK_API_URL.`;
  const host = (() => {
    try {
      return new URL(apiUrl).host;
    } catch {
      return apiUrl;
    }
  })();
  const cause = e.original?.cause?.code ?? e.original?.code ?? e.code ?? e.message ?? String(err);
  return `Could not reach Slack at ${host} (SLACK_API_URL) to check SLACK_BOT_TOKEN: ${cause}.`;
}
