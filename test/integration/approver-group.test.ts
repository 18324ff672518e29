import { ACTIONS } from '../../src/slack/ids';
import { REQUESTER, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { dmsTo, ephemeralsTo, readAudit, submitCreate, waitUntil, clickDecision } from '../helpers/flows';

describe('approvers from a Slack user group', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment({ env: { APPROVER_USER_IDS: '', APPROVER_USERGROUP_ID: 'S0KEYADMINS' } });
  });
  afterAll(async () => {
    await env.close();
  });

  it('says so, and changes nothing, when Slack cannot tell who the members are', async () => {
    const id = await submitCreate(env, REQUESTER, 'group-lookup-fails', [groupId(1)]);
    // The fake answers no_such_subteam until the group is defined.
    await clickDecision(env, 'U0GROUPADMIN', ACTIONS.approve, id);
    const reply = await waitUntil(() => ephemeralsTo(env, 'U0GROUPADMIN')[0], 5000, 'reply');
    expect(reply).toMatch(/Could not check the approvers user group/);
    expect((await readAudit(env)).filter((e) => e.requestId === id).map((e) => e.event)).toEqual(['requested']);
  });

  it('lets a member of the group approve, and refuses a non-member', async () => {
    env.slack.userGroups.set('S0KEYADMINS', ['U0GROUPADMIN']);
    const id = await submitCreate(env, REQUESTER, 'group-approved', [groupId(1)]);
    await clickDecision(env, 'U0OUTSIDER', ACTIONS.approve, id);
    await waitUntil(() => ephemeralsTo(env, 'U0OUTSIDER').find((t) => t.includes('Only configured')), 5000, 'refusal');
    await clickDecision(env, 'U0GROUPADMIN', ACTIONS.approve, id);
    await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('group-approved') && t.includes('created')), 5000, 'result');
    expect(env.slack.callsTo('usergroups.users.list').every((c) => c.args.usergroup === 'S0KEYADMINS')).toBe(true);
    expect((await readAudit(env)).filter((e) => e.requestId === id).map((e) => `${e.event}:${e.actorId}`)).toEqual([
      `requested:${REQUESTER}`,
      'refused:U0OUTSIDER',
      'approved:U0GROUPADMIN',
      'executed:U0GROUPADMIN',
    ]);
  });
});
