import { randomBytes } from 'node:crypto';
import { SlackClient } from './client';
import { loadPage } from './page-assets';
import { pageRoutes } from './routes';
import { startFakeSlack, type FakeSlack, type SlackCall } from './web-api';
import { Workspace, type WorkspaceOptions } from './workspace';
import { answerWebApi } from './workspace-api';

/**
 * A simulated Slack workspace with a web page, for trying the bot without a Slack workspace:
 * the fake Web API (web-api.ts, same server and same test API) answers from a stateful
 * workspace, and the page at `url` plays the Slack client for four people (requester, two
 * approvers, someone else). Everything listens on 127.0.0.1 only.
 *
 *   const sandbox = await startSlackSandbox({ port: 3001 });
 *   const bot = createApp(loadConfig({ ...sandbox.env, ...harnessAndRedisEnv, PORT: '3000' }));
 *   const { port } = await bot.start();
 *   sandbox.setBotUrl(`http://127.0.0.1:${port}`);   // then open sandbox.url
 */
export interface SlackSandboxOptions {
  /** The bot's base URL (`/slack/events` is added) or its full events URL; or later with setBotUrl. */
  botUrl?: string;
  /** Signs every request to the bot (default: a random one, in `signingSecret`). */
  signingSecret?: string;
  /** Must start with `xoxb-sandbox-` (default: a random one). Real-looking tokens are refused. */
  botToken?: string;
  /** Loopback port for the page and the Web API (default: a free one). */
  port?: number;
  workspace?: WorkspaceOptions;
  keep?: (call: SlackCall) => boolean;
}

export interface SlackSandbox extends FakeSlack {
  /** The page: open it in a browser (`?as=U0ADMIN1` to start as someone else). */
  readonly url: string;
  readonly botToken: string;
  readonly signingSecret: string;
  readonly workspace: Workspace;
  readonly client: SlackClient;
  setBotUrl(url: string): void;
  /** The bot's Slack settings for this workspace, as environment variables for loadConfig. */
  readonly env: {
    SLACK_BOT_TOKEN: string;
    SLACK_SIGNING_SECRET: string;
    SLACK_API_URL: string;
    APPROVAL_CHANNEL_ID: string;
    AUDIT_CHANNEL_ID: string;
    APPROVER_USER_IDS: string;
  };
}

export const SANDBOX_TOKEN_PREFIX = 'xoxb-sandbox-';
/** Slack's real token shapes: xoxb-<digits>-<digits>-<secret>, xoxp-…, xapp-1-…, … */
const REAL_LOOKING = /^xox[abpeorc]-\d+-|^xapp-\d-/;

export async function startSlackSandbox(options: SlackSandboxOptions = {}): Promise<SlackSandbox> {
  const botToken = options.botToken ?? `${SANDBOX_TOKEN_PREFIX}${randomBytes(12).toString('hex')}`;
  if (!botToken.startsWith(SANDBOX_TOKEN_PREFIX)) {
    throw new Error(`the Slack sandbox only takes bot tokens starting with ${SANDBOX_TOKEN_PREFIX}: never give it a real one`);
  }
  const signingSecret = options.signingSecret ?? randomBytes(16).toString('hex');
  const userGroups = new Map<string, string[]>();
  const ws = new Workspace({ userGroups: { S0APIKEYADMINS: ['U0ADMIN1', 'U0ADMIN2'] }, ...options.workspace }, userGroups);
  const client = new SlackClient(ws, signingSecret, options.botUrl);
  const page = loadPage();

  const fake = await startFakeSlack({
    port: options.port,
    keep: options.keep,
    userGroups,
    extension: (record) => ({
      route: pageRoutes({ client, page, record }),
      authorize(call) {
        if (!call.token) return 'not_authed';
        if (call.token === botToken) return undefined;
        if (REAL_LOOKING.test(call.token)) ws.problem(`${call.method} was called with a real-looking Slack token: refused, the sandbox never forwards anything to Slack`);
        else ws.problem(`${call.method} was called with a token the sandbox did not issue`);
        return 'invalid_auth';
      },
      answer: (call) => answerWebApi(ws, call),
    }),
  });
  ws.baseUrl = fake.url;

  const channel = (name: string) => [...ws.conversations.values()].find((c) => c.kind === 'channel' && c.name === name)?.id ?? '';
  const approvers = ws.people.filter((p) => p.role?.startsWith('approver')).map((p) => p.id);
  return Object.assign(fake, {
    botToken,
    signingSecret,
    workspace: ws,
    client,
    setBotUrl: (url: string) => {
      client.setBotUrl(url);
      ws.emit({ kind: 'problems' });
    },
    env: {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: fake.apiUrl,
      APPROVAL_CHANNEL_ID: channel('apikey-approvals'),
      AUDIT_CHANNEL_ID: channel('apikey-audit'),
      APPROVER_USER_IDS: approvers.join(','),
    },
  });
}
