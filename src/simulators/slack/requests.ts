import { createHmac } from 'node:crypto';

/**
 * Builds and sends requests the way Slack does: form-encoded bodies (interactive payloads as a
 * JSON `payload` field), signed with v0 HMAC-SHA256 over "v0:<ts>:<body>".
 */
export function sign(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

export interface SlackResponse {
  status: number;
  body: string;
  json(): unknown;
}

export class SlackSender {
  constructor(
    readonly botUrl: string,
    private readonly signingSecret: string,
    private readonly responseUrlBase: string,
  ) {}

  async send(body: string, headers: Record<string, string> = sign(this.signingSecret, body)): Promise<SlackResponse> {
    const res = await fetch(`${this.botUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, json: () => (text ? (JSON.parse(text) as unknown) : undefined) };
  }

  /** An Events API callback, JSON-encoded as Slack sends it. */
  async event(event: Record<string, unknown>): Promise<SlackResponse> {
    const body = JSON.stringify({
      token: 'x',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: `Ev${Date.now()}${Math.random().toString(36).slice(2, 8)}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    const res = await fetch(`${this.botUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(this.signingSecret, body) },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, json: () => (text ? (JSON.parse(text) as unknown) : undefined) };
  }

  commandBody(userId: string, text: string): string {
    return new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: 'T1',
      team_domain: 'acme',
      channel_id: 'C0WORK',
      channel_name: 'platform',
      user_id: userId,
      user_name: userId.toLowerCase(),
      command: '/apikey',
      text,
      api_app_id: 'A1',
      response_url: `${this.responseUrlBase}/commands/${userId}`,
      trigger_id: `trigger-${userId}-${Date.now()}`,
    }).toString();
  }

  command(userId: string, text: string): Promise<SlackResponse> {
    return this.send(this.commandBody(userId, text));
  }

  interactive(payload: Record<string, unknown>): Promise<SlackResponse> {
    return this.send(this.interactiveBody(payload));
  }

  interactiveBody(payload: Record<string, unknown>): string {
    return new URLSearchParams({ payload: JSON.stringify({ team: { id: 'T1', domain: 'acme' }, api_app_id: 'A1', token: 'x', ...payload }) }).toString();
  }

  viewSubmission(userId: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata = '', viewId = 'V1'): Promise<SlackResponse> {
    return this.interactive({
      type: 'view_submission',
      user: { id: userId, username: userId.toLowerCase(), team_id: 'T1' },
      trigger_id: `trigger-${userId}-${Date.now()}`,
      view: {
        id: viewId,
        type: 'modal',
        callback_id: callbackId,
        private_metadata: privateMetadata,
        state: { values },
        hash: '1',
        team_id: 'T1',
        app_id: 'A1',
        bot_id: 'BBOT',
      },
    });
  }

  buttonBody(userId: string, actionId: string, value: string, channelId = 'C0APPROVALS', messageTs = '1700000001.000100'): string {
    return this.interactiveBody({
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase(), team_id: 'T1' },
      trigger_id: `trigger-${userId}-${Date.now()}`,
      response_url: `${this.responseUrlBase}/actions/${userId}`,
      channel: { id: channelId, name: 'apikey-approvals' },
      container: { type: 'message', message_ts: messageTs, channel_id: channelId },
      message: { ts: messageTs, text: 'request' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'decision', value, action_ts: `${Date.now() / 1000}` }],
    });
  }

  button(userId: string, actionId: string, value: string, channelId?: string, messageTs?: string): Promise<SlackResponse> {
    return this.send(this.buttonBody(userId, actionId, value, channelId, messageTs));
  }

  optionsBody(userId: string, actionId: string, blockId: string, value: string): string {
    return this.interactiveBody({
      type: 'block_suggestion',
      user: { id: userId, username: userId.toLowerCase(), team_id: 'T1' },
      action_id: actionId,
      block_id: blockId,
      value,
      view: { id: 'V1', type: 'modal', callback_id: 'apikey_create', state: { values: {} } },
    });
  }

  options(userId: string, actionId: string, blockId: string, value: string): Promise<SlackResponse> {
    return this.send(this.optionsBody(userId, actionId, blockId, value));
  }
}
