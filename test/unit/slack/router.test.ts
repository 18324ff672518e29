import { App, LogLevel, type ReceiverEvent } from '@slack/bolt';
import { ListenerRouter } from '../../../src/slack/listeners/router';

/** A real Bolt app (no HTTP): events go straight into App.processEvent, as the receiver does. */
function boltApp() {
  return new App({
    token: 'xoxb-router-test',
    signingSecret: 'router-test-secret',
    botId: 'BBOT',
    botUserId: 'UBOT',
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });
}

const user = { id: 'U1', username: 'u1', team_id: 'T1' };
const team = { id: 'T1', domain: 't1' };
const bodies = {
  button: (actionId: string) => ({
    type: 'block_actions',
    user,
    team,
    channel: { id: 'C1', name: 'c1' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value: 'v', action_ts: '1.2' }],
  }),
  submission: (callbackId: string) => ({
    type: 'view_submission',
    user,
    team,
    view: { id: 'V1', type: 'modal', callback_id: callbackId, state: { values: {} } },
  }),
  suggestion: (actionId: string) => ({ type: 'block_suggestion', user, team, action_id: actionId, block_id: 'b', value: 'q' }),
};

async function deliver(app: App, body: Record<string, unknown>): Promise<unknown[][]> {
  const acks: unknown[][] = [];
  const event: ReceiverEvent = {
    body,
    ack: (...args: unknown[]) => {
      acks.push(args);
      return Promise.resolve();
    },
  };
  await app.processEvent(event);
  return acks;
}

describe('ListenerRouter', () => {
  it('hands each action, view submission and options load to the listener registered for its id', async () => {
    const app = boltApp();
    const routes = new ListenerRouter();
    const seen: string[] = [];
    routes.action('approve', async ({ ack, action }) => {
      seen.push(`approve:${'value' in action ? String(action.value) : ''}`);
      await ack();
    });
    routes.action('deny', async ({ ack }) => {
      seen.push('deny');
      await ack();
    });
    routes.view('create_modal', async ({ ack, view }) => {
      seen.push(`view:${view.callback_id}`);
      await ack();
    });
    routes.options('groups', async ({ ack, options }) => {
      seen.push(`options:${options.value}`);
      await ack({ options: [{ text: { type: 'plain_text', text: 'Group' }, value: 'g1' }] });
    });
    routes.mount(app);

    expect(await deliver(app, bodies.button('deny'))).toHaveLength(1);
    expect(await deliver(app, bodies.button('approve'))).toHaveLength(1);
    expect(await deliver(app, bodies.submission('create_modal'))).toHaveLength(1);
    const optionAcks = await deliver(app, bodies.suggestion('groups'));
    expect(seen).toEqual(['deny', 'approve:v', 'view:create_modal', 'options:q']);
    expect(optionAcks).toEqual([[{ options: [{ text: { type: 'plain_text', text: 'Group' }, value: 'g1' }] }]]);
  });

  it('registers one Bolt listener per kind however many routes there are', () => {
    const app = boltApp();
    const routes = new ListenerRouter();
    for (const id of ['a1', 'a2', 'a3', 'a4']) routes.action(id, async ({ ack }) => ack());
    for (const id of ['v1', 'v2', 'v3', 'v4']) routes.view(id, async ({ ack }) => ack());
    for (const id of ['o1', 'o2']) routes.options(id, async ({ ack }) => ack({ options: [] }));
    routes.mount(app);
    // Bolt keeps them in a private array; its length is what every request pays for.
    expect((app as unknown as { listeners: unknown[] }).listeners).toHaveLength(3);
  });

  it('matches ids literally and leaves ids nobody routed unhandled', async () => {
    const app = boltApp();
    const routes = new ListenerRouter();
    const seen: string[] = [];
    routes.action('apikey.approve', async ({ ack }) => {
      seen.push('approve');
      await ack();
    });
    routes.mount(app);
    // '.' in the id is not a wildcard, and a prefix or suffix is another id.
    for (const id of ['apikeyXapprove', 'apikey.approve2', 'xapikey.approve']) {
      expect(await deliver(app, bodies.button(id))).toEqual([]);
    }
    expect(seen).toEqual([]);
    expect(await deliver(app, bodies.button('apikey.approve'))).toHaveLength(1);
    expect(seen).toEqual(['approve']);
  });

  it('refuses a second listener for the same id instead of silently replacing the first', () => {
    const routes = new ListenerRouter();
    routes.view('create_modal', async ({ ack }) => ack());
    expect(() => routes.view('create_modal', async ({ ack }) => ack())).toThrow('view listener for "create_modal" registered twice');
    // The same id as another kind is a different route.
    expect(() => routes.action('create_modal', async ({ ack }) => ack())).not.toThrow();
  });
});
