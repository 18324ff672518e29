import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ACTIONS, COMMAND, CREATE_MODAL, DENY_MODAL, EVENTS, FIELDS } from '../../../src/slack/ids';

const root = path.join(__dirname, '..', '..', '..');
const manifest = parse(readFileSync(path.join(root, 'manifest.yml'), 'utf8')) as {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url: string } };
};
const schemaPath = path.join(root, 'test', 'fixtures', 'slack-manifest.schema.json');

describe('manifest.yml', () => {
  it("validates against Slack's manifest JSON Schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('declares exactly the slash command the code listens to, on the events endpoint', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([COMMAND]);
    expect(manifest.features.slash_commands[0]!.url).toMatch(/\/slack\/events$/);
  });

  it('escapes command text, so mentions arrive with user ids', () => {
    expect(manifest.features.slash_commands[0]!.should_escape).toBe(true);
  });

  it('subscribes to exactly the events the code listens to, and enables the home tab', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...EVENTS].sort());
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('routes interactivity and external-select options to the events endpoint', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(/\/slack\/events$/);
  });

  it('grants the scopes for every Web API method the bot calls', () => {
    // chat.postMessage/update/postEphemeral: chat:write; DMs: im:write; approver group: usergroups:read.
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['chat:write', 'commands', 'im:write', 'usergroups:read']);
  });

  it('uses ids that fit Slack limits and are unique', () => {
    const all = [...Object.values(CREATE_MODAL), ...Object.values(DENY_MODAL), ...Object.values(ACTIONS)];
    for (const id of all) expect(id.length).toBeLessThanOrEqual(255);
    const actionIds = [
      FIELDS.nameAction,
      FIELDS.groupsAction,
      FIELDS.reasonAction,
      FIELDS.keyAction,
      FIELDS.uuidAction,
      FIELDS.confirmAction,
      DENY_MODAL.reasonAction,
      ...Object.values(ACTIONS),
    ];
    expect(new Set(actionIds).size).toBe(actionIds.length);
  });

  it('keeps the vendored schemas identical to shared/ when shared/ is present', () => {
    const pairs = [
      [schemaPath, path.join(root, '..', 'shared', 'slack', 'manifest.schema.json')],
      [path.join(root, 'test', 'fixtures', 'harness-schema.graphql'), path.join(root, '..', 'shared', 'harness', 'schema.graphql')],
    ] as const;
    let compared = 0;
    for (const [vendored, shared] of pairs) {
      let original: string;
      try {
        original = readFileSync(shared, 'utf8');
      } catch {
        continue; // a clone without shared/ beside it uses the vendored copy alone
      }
      expect(readFileSync(vendored, 'utf8')).toBe(original);
      compared++;
    }
    expect(compared === 0 || compared === pairs.length).toBe(true);
  });
});
