import { WebSocketServer, type WebSocket } from 'ws';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { CREATE_MODAL } from '../../src/slack/ids';
import { ACCOUNT, REQUESTER, SECRETS, botEnv } from '../helpers/environment';
import { startFakeHarness, type FakeHarness } from '../../src/simulators/harness-firstgen';
import { startFakeSlack, type FakeSlack } from '../../src/simulators/slack/web-api';
import { freePort, startRedis, type RedisServer } from '../../src/simulators/redis-server';

/**
 * Socket Mode: the bot dials out to Slack over a WebSocket (here a local one, handed out by the
 * fake apps.connections.open), receives envelopes and acks them on the same socket.
 */
describe('Socket Mode', () => {
  let redis: RedisServer;
  let slack: FakeSlack;
  let harness: FakeHarness;
  let wss: WebSocketServer;
  let bot: BotApp;
  let port: number;
  let connected: Promise<WebSocket>;

  beforeAll(async () => {
    redis = await startRedis();
    slack = await startFakeSlack();
    harness = await startFakeHarness({ apiKey: SECRETS.harnessKey, accountId: ACCOUNT });
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    slack.setSocketUrl(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/link`);
    wss.on('connection', (socket) => socket.send(JSON.stringify({ type: 'hello', num_connections: 1 })));
    connected = new Promise((resolve) => wss.once('connection', resolve));
    port = await freePort();
    const config = loadConfig(
      botEnv(
        { slackApiUrl: slack.apiUrl, harnessUrl: harness.url, redisUrl: redis.url },
        // Socket Mode: an app token and no signing secret.
        { SLACK_APP_TOKEN: 'xapp-1-A1-test', SLACK_SIGNING_SECRET: '', PORT: String(port) },
      ),
    );
    bot = createApp(config, {
      logger: createLogger({ level: 'error', secrets: [], write: () => undefined }),
      slackRetryConfig: { retries: 0 },
    });
    await bot.start();
  });
  afterAll(async () => {
    await bot.stop();
    await new Promise((r) => wss.close(r));
    await Promise.all([slack.close(), harness.close(), redis.close()]);
  });

  it('connects with the app token, takes a slash command over the socket and acks it', async () => {
    const socket = await connected;
    expect(slack.callsTo('apps.connections.open')[0]?.token).toBe('xapp-1-A1-test');
    const ack = new Promise<{ envelope_id: string }>((resolve) => socket.on('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { envelope_id: string })));
    socket.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/apikey',
          text: 'create',
          user_id: REQUESTER,
          channel_id: 'C0WORK',
          team_id: 'T1',
          api_app_id: 'A1',
          trigger_id: 'trigger-socket',
          response_url: `${slack.url}/commands/socket`,
        },
      }),
    );
    expect((await ack).envelope_id).toBe('env-1');
    const open = await slack.waitFor((c) => c.method === 'views.open');
    expect(open.args.trigger_id).toBe('trigger-socket');
    expect((open.args.view as { callback_id: string }).callback_id).toBe(CREATE_MODAL.callbackId);
  });

  it('still serves the health routes on PORT', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
