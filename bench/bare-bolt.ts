import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';

/**
 * The baseline: a Bolt 5 app on the same HTTP receiver that only acks every kind of request the
 * bench sends (commands, options loads, view submissions, button clicks). The bot's latency is
 * reported as a ratio to this one's, for information.
 */
async function main() {
  const app = new App({
    token: 'xoxb-bench-bare',
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
    botId: 'BBARE',
    botUserId: 'UBARE',
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });
  app.command('/apikey', async ({ ack }) => ack());
  app.action(/.*/, async ({ ack }) => ack());
  app.options(/.*/, async ({ ack }) => ack({ options: [] }));
  app.view(/.*/, async ({ ack }) => ack());
  const server = await app.start(Number(process.env.PORT ?? 0));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

void main();
