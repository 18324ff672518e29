import { DELETE_MODAL, FIELDS, UPDATE_MODAL } from '../../src/slack/ids';
import { APPROVAL_CHANNEL, APPROVERS, REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { approve, approveButtonValue, createKey, readAudit, submitModal, warmGroups } from '../helpers/flows';

const text = (block: string, action: string, value: string) => ({ [block]: { [action]: { type: 'plain_text_input', value } } });
const select = (value: string) => ({ [FIELDS.keyBlock]: { [FIELDS.keyAction]: { type: 'external_select', selected_option: { text: { type: 'plain_text', text: value }, value } } } });
const groups = (block: string, ids: string[]) => ({
  [block]: { [FIELDS.groupsAction]: { type: 'multi_external_select', selected_options: ids.map((id) => ({ text: { type: 'plain_text', text: id }, value: id })) } },
});
const confirm = (checked: boolean) => ({
  [FIELDS.confirmBlock]: { [FIELDS.confirmAction]: { type: 'checkboxes', selected_options: checked ? [{ text: { type: 'plain_text', text: 'x' }, value: 'confirmed' }] : [] } },
});

describe('/apikey update and delete', () => {
  let env: Environment;
  let uuid: string;
  beforeAll(async () => {
    env = await startEnvironment();
    uuid = await createKey(env, REQUESTER, APPROVERS[0]!, 'deploy-key', [groupId(1), groupId(2)]);
  });
  afterAll(async () => {
    await env.close();
  });

  it('opens the update modal and offers the registry keys, searchable by name', async () => {
    await env.sender.command(REQUESTER, 'update');
    const open = await env.slack.waitFor((c) => c.method === 'views.open' && (c.args.view as { callback_id: string }).callback_id === UPDATE_MODAL.callbackId);
    expect(JSON.stringify(open.args.view)).toContain('replaces');
    const res = await env.sender.options(REQUESTER, FIELDS.keyAction, FIELDS.keyBlock, 'deplo');
    expect((res.json() as { options: { value: string; text: { text: string } }[] }).options).toEqual([
      { text: { type: 'plain_text', text: `deploy-key (${uuid})` }, value: uuid },
    ]);
  });

  it('prefills the current name and groups once a key is picked', async () => {
    const since = env.slack.calls.length;
    await env.sender.interactive({
      type: 'block_actions',
      user: { id: REQUESTER, team_id: 'T1' },
      trigger_id: 't',
      view: { id: 'V42', hash: 'h42', type: 'modal', callback_id: UPDATE_MODAL.callbackId, private_metadata: '{}', state: { values: {} } },
      actions: [{ type: 'external_select', action_id: FIELDS.keyAction, block_id: FIELDS.keyBlock, selected_option: { text: { type: 'plain_text', text: 'deploy-key' }, value: uuid } }],
    });
    const update = await env.slack.waitFor((c) => c.method === 'views.update', 5000, since);
    expect(update.args).toMatchObject({ view_id: 'V42', hash: 'h42' });
    const view = update.args.view as { private_metadata: string; blocks: { block_id?: string; element?: Record<string, unknown> }[] };
    expect(view.private_metadata).toBeUndefined(); // nothing reads it: the picked key is in the view state
    const name = view.blocks.find((b) => b.block_id?.startsWith(FIELDS.nameBlock));
    const picker = view.blocks.find((b) => b.block_id?.startsWith(FIELDS.groupsBlock));
    // New block ids, so Slack shows the new initial values instead of what was typed before.
    expect(name?.block_id).toBe(`${FIELDS.nameBlock}.${uuid}`);
    expect(name?.element?.initial_value).toBe('deploy-key');
    expect(picker?.element?.initial_options).toEqual([
      { text: { type: 'plain_text', text: 'team-0001' }, value: groupId(1) },
      { text: { type: 'plain_text', text: 'team-0002' }, value: groupId(2) },
    ]);
  });

  it('updates a registry key after approval: full group set sent, before -> after shown, registry and audit updated', async () => {
    const { requestId } = await submitModal(env, REQUESTER, UPDATE_MODAL.callbackId, {
      ...select(uuid),
      ...text(`${FIELDS.nameBlock}.${uuid}`, FIELDS.nameAction, 'deploy-key-v2'),
      ...groups(`${FIELDS.groupsBlock}.${uuid}`, [groupId(2), groupId(3)]),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'needs team-0003, not team-0001'),
    });
    const post = env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === APPROVAL_CHANNEL && approveButtonValue(c) === requestId)!;
    const shown = JSON.stringify(post.args.blocks);
    expect(shown).toContain('deploy-key → deploy-key-v2');
    expect(shown).toContain('*Groups added*\\nteam-0003');
    expect(shown).toContain('*Groups removed*\\nteam-0001');
    expect(shown).toContain('*Groups kept*\\nteam-0002');

    const dm = await approve(env, requestId!, APPROVERS[1]!);
    expect(dm).toContain('was updated');
    const sent = env.harness.mutations('updateApiKey');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variables).toEqual({
      input: { accountId: expect.any(String), uuid, name: 'deploy-key-v2', userGroupIds: [groupId(2), groupId(3)], clientMutationId: requestId },
    });
    expect(env.harness.keys.get(uuid)).toEqual({ name: 'deploy-key-v2', userGroupIds: [groupId(2), groupId(3)] });

    const updated = (await readAudit(env)).filter((e) => e.requestId === requestId).at(-1)!;
    expect(updated).toMatchObject({
      event: 'updated',
      keyUuid: uuid,
      keyName: 'deploy-key-v2',
      previousName: 'deploy-key',
      previousUserGroupIds: `${groupId(1)},${groupId(2)}`,
      userGroupIds: `${groupId(2)},${groupId(3)}`,
    });
    // The registry follows: the new name is taken, the old one is free.
    await env.sender.command(REQUESTER, 'create');
    await warmGroups(env, REQUESTER);
    const taken = await submitModal(env, REQUESTER, 'apikey_create', {
      ...text(FIELDS.nameBlock, FIELDS.nameAction, 'deploy-key-v2'),
      ...groups(FIELDS.groupsBlock, [groupId(1)]),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'r'),
    });
    expect(taken.errors?.[FIELDS.nameBlock]).toMatch(/already exists/);
  });

  it('updates a key created outside the bot: the uuid is typed and the whole group set is required', async () => {
    env.harness.keys.set('outsidekey000000000001', { name: 'legacy', userGroupIds: [groupId(9)] });
    const missing = await submitModal(env, REQUESTER, UPDATE_MODAL.callbackId, {
      ...text(FIELDS.uuidBlock, FIELDS.uuidAction, 'outsidekey000000000001'),
      ...text(FIELDS.nameBlock, FIELDS.nameAction, 'legacy'),
      ...groups(FIELDS.groupsBlock, []),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'r'),
    });
    expect(missing.errors).toEqual({ [FIELDS.groupsBlock]: expect.stringMatching(/at least one user group/) });

    const { requestId } = await submitModal(env, REQUESTER, UPDATE_MODAL.callbackId, {
      ...text(FIELDS.uuidBlock, FIELDS.uuidAction, 'outsidekey000000000001'),
      ...text(FIELDS.nameBlock, FIELDS.nameAction, 'legacy'),
      ...groups(FIELDS.groupsBlock, [groupId(9), groupId(10)]),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'adopt into the bot'),
    });
    const post = env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === APPROVAL_CHANNEL && approveButtonValue(c) === requestId)!;
    expect(JSON.stringify(post.args.blocks)).toContain('replace all current groups, unknown to the bot');
    await approve(env, requestId!, APPROVERS[0]!);
    expect(env.harness.keys.get('outsidekey000000000001')).toEqual({ name: 'legacy', userGroupIds: [groupId(9), groupId(10)] });
    const list = await env.sender.command(REQUESTER, 'list');
    expect(list.body).toContain('outsidekey000000000001');
  });

  it('refuses a second open change to the same key', async () => {
    const first = await submitModal(env, REQUESTER, DELETE_MODAL.callbackId, {
      ...select(uuid),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'retire'),
      ...confirm(true),
    });
    expect(first.requestId).toBeDefined();
    const second = await submitModal(env, 'U0OTHER', DELETE_MODAL.callbackId, {
      ...select(uuid),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'me too'),
      ...confirm(true),
    });
    expect(second.errors?.[FIELDS.keyBlock]).toContain(first.requestId);
    // Deleting after approval: the registry keeps the entry, marked deleted.
    const dm = await approve(env, first.requestId!, APPROVERS[0]!);
    expect(dm).toMatch(/was deleted\. It no longer works/);
    expect(env.harness.keys.has(uuid)).toBe(false);
    const events = (await readAudit(env)).filter((e) => e.requestId === first.requestId).map((e) => e.event);
    expect(events).toEqual(['requested', 'approved', 'deleted']);
    const list = await env.sender.command(REQUESTER, 'list');
    expect(list.body).toMatch(/deploy-key-v2.*deleted/);
  });

  it('refuses to delete a key the registry marks as deleted, and needs the confirmation', async () => {
    const again = await submitModal(env, REQUESTER, DELETE_MODAL.callbackId, { ...select(uuid), ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'x'), ...confirm(false) });
    expect(again.errors).toEqual({
      [FIELDS.keyBlock]: expect.stringMatching(/already deleted/),
      [FIELDS.confirmBlock]: expect.stringMatching(/stops working/),
    });
  });

  it('turns Harness "apiKeyEntry is null" into plain words when a typed uuid does not exist', async () => {
    const { requestId } = await submitModal(env, REQUESTER, DELETE_MODAL.callbackId, {
      ...text(FIELDS.uuidBlock, FIELDS.uuidAction, 'nosuchkey0000000000000'),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'cleanup'),
      ...confirm(true),
    });
    const dm = await approve(env, requestId!, APPROVERS[1]!);
    expect(dm).toContain('No such API key in this Harness account.');
    expect(dm).not.toContain('apiKeyEntry');
    expect(env.harness.invalidDocuments).toEqual([]);
  });

  it('validates picked-and-typed conflicts and malformed uuids', async () => {
    const both = await submitModal(env, REQUESTER, DELETE_MODAL.callbackId, {
      ...select(uuid),
      ...text(FIELDS.uuidBlock, FIELDS.uuidAction, 'anotherkey000000000000'),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'x'),
      ...confirm(true),
    });
    expect(both.errors?.[FIELDS.keyBlock]).toMatch(/keep only one/);
    const bad = await submitModal(env, REQUESTER, DELETE_MODAL.callbackId, {
      ...text(FIELDS.uuidBlock, FIELDS.uuidAction, 'not a uuid!'),
      ...text(FIELDS.reasonBlock, FIELDS.reasonAction, 'x'),
      ...confirm(true),
    });
    expect(bad.errors?.[FIELDS.keyBlock]).toMatch(/not a Harness API key uuid/);
  });
});
