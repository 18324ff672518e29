import Redis from 'ioredis';
import { ACTIONS, CREATE_MODAL } from '../../src/slack/ids';
import { ACCOUNT, APPROVAL_CHANNEL, APPROVERS, AUDIT_CHANNEL, REQUESTER, SECRETS, startEnvironment, type Environment } from '../helpers/environment';
import { groupId } from '../../src/simulators/harness-firstgen';
import { dmsTo, readAudit, submitCreate, waitUntil, clickDecision } from '../helpers/flows';

describe('/apikey create, approved, end to end', () => {
  let env: Environment;
  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(async () => {
    await env.close();
  });

  it('opens the create modal from the slash command', async () => {
    const res = await env.sender.command(REQUESTER, 'create');
    expect(res.status).toBe(200);
    const open = await env.slack.waitFor((c) => c.method === 'views.open');
    const view = open.args.view as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.callback_id).toBe(CREATE_MODAL.callbackId);
    expect(view.blocks.map((b) => b.block_id)).toEqual(
      expect.arrayContaining([CREATE_MODAL.nameBlock, CREATE_MODAL.groupsBlock, CREATE_MODAL.reasonBlock]),
    );
    expect(open.args.trigger_id).toMatch(/^trigger-U0DEV-/);
    expect(open.token).toBe(SECRETS.botToken);
  });

  it('serves the user group picker from the cache, paging Harness once for all 250 groups', async () => {
    const first = await env.sender.options(REQUESTER, CREATE_MODAL.groupsAction, CREATE_MODAL.groupsBlock, '');
    expect(first.status).toBe(200);
    // The start-up credential check reads one group; the list itself is paged 100 at a time.
    const pages = () => env.harness.requests.filter((r) => r.query.includes('userGroups') && r.variables.limit === 100).length;
    expect(env.harness.requests.filter((r) => r.query.includes('userGroups') && r.variables.limit === 1)).toHaveLength(1);
    const pagesFetched = pages();
    expect(pagesFetched).toBe(3);

    const search = await env.sender.options(REQUESTER, CREATE_MODAL.groupsAction, CREATE_MODAL.groupsBlock, 'team-024');
    const options = (search.json() as { options: { text: { text: string }; value: string }[] }).options;
    expect(options.map((o) => o.text.text)).toEqual(['team-0240', 'team-0241', 'team-0242', 'team-0243', 'team-0244', 'team-0245', 'team-0246', 'team-0247', 'team-0248', 'team-0249']);
    expect(options[0]!.value).toBe(groupId(240));
    // Typing never reaches Harness.
    expect(pages()).toBe(pagesFetched);
    // A group beyond the first 100 is findable: nothing is silently dropped.
    const late = await env.sender.options(REQUESTER, CREATE_MODAL.groupsAction, CREATE_MODAL.groupsBlock, 'team-0199');
    expect((late.json() as { options: { value: string }[] }).options.map((o) => o.value)).toEqual([groupId(199)]);
  });

  it('stores the request, posts it for approval, DMs the requester and audits it; Harness is untouched', async () => {
    const requestId = await submitCreate(env, REQUESTER, 'ci-deployer', [groupId(1), groupId(150)], 'Deploys from CI');
    const post = env.slack.callsTo('chat.postMessage').find((c) => c.args.channel === APPROVAL_CHANNEL)!;
    const blocks = JSON.stringify(post.args.blocks);
    expect(blocks).toContain('<@U0DEV>');
    expect(blocks).toContain('team-0001, team-0150');
    expect(blocks).toContain('Deploys from CI');
    expect(blocks).toContain(requestId);
    expect(blocks).toContain(ACTIONS.deny);
    expect(String(post.args.text)).toContain('ci-deployer');

    await waitUntil(() => dmsTo(env, REQUESTER).some((t) => t.includes(requestId) && t.includes('waiting')), 5000, 'pending DM');
    expect(env.harness.mutations('createApiKey')).toHaveLength(0);

    const audit = await readAudit(env);
    expect(audit.map((e) => e.event)).toEqual(['requested']);
    expect(audit[0]).toMatchObject({
      event: 'requested',
      requestId,
      operation: 'create',
      actorId: REQUESTER,
      requesterId: REQUESTER,
      keyName: 'ci-deployer',
      keyUuid: '',
      userGroupIds: `${groupId(1)},${groupId(150)}`,
      reason: 'Deploys from CI',
    });
    expect(new Date(audit[0]!.at).toISOString()).toBe(audit[0]!.at);
  });

  it('creates the key in Harness once on approval, records it, DMs the result and updates the message', async () => {
    const requestId = await submitCreate(env, REQUESTER, 'release-bot', [groupId(7)]);
    const click = await clickDecision(env, APPROVERS[0]!, ACTIONS.approve, requestId);
    expect(click.status).toBe(200);

    const dm = await waitUntil(() => dmsTo(env, REQUESTER).find((t) => t.includes('release-bot') && t.includes('created')), 5000, 'result DM');
    const calls = env.harness.mutations('createApiKey');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.variables).toEqual({
      input: { accountId: ACCOUNT, name: 'release-bot', userGroupIds: [groupId(7)], clientMutationId: requestId },
    });
    expect(calls[0]!.apiKey).toBe(SECRETS.harnessKey);
    expect(calls[0]!.accountIdParam).toBe(ACCOUNT);
    const [uuid, key] = [...env.harness.keys.entries()].find(([, k]) => k.name === 'release-bot')!;
    expect(key.userGroupIds).toEqual([groupId(7)]);
    expect(dm).toContain(uuid);
    expect(dm).toContain('team-0007');
    expect(dm).toContain('Access Management');

    const update = await waitUntil(
      () => env.slack.callsTo('chat.update').find((c) => JSON.stringify(c.args.blocks).includes('done in Harness')),
      5000,
      'approval message update',
    );
    const blocks = JSON.stringify(update.args.blocks);
    expect(blocks).not.toContain(ACTIONS.approve);
    expect(blocks).toContain(`<@${APPROVERS[0]}>`);
    expect(blocks).toContain(uuid);
    expect(update.args.channel).toBe(APPROVAL_CHANNEL);

    const events = (await readAudit(env)).filter((e) => e.requestId === requestId);
    expect(events.map((e) => e.event)).toEqual(['requested', 'approved', 'executed']);
    expect(events[1]).toMatchObject({ actorId: APPROVERS[0], requesterId: REQUESTER });
    expect(events[2]).toMatchObject({ keyUuid: uuid, actorId: APPROVERS[0] });

    const redis = new Redis(env.redis.url);
    try {
      const record = JSON.parse((await redis.hget('apikey:keys', uuid))!) as Record<string, unknown>;
      expect(record).toMatchObject({ uuid, name: 'release-bot', requesterId: REQUESTER, approverId: APPROVERS[0], requestId });
      expect(await redis.hget('apikey:keys:byname', 'release-bot')).toBe(uuid);
      expect(await redis.hget(`apikey:req:${requestId}`, 'state')).toBe('done');
    } finally {
      redis.disconnect();
    }
  });

  it('mirrors every audit event to the audit channel, threaded per request', async () => {
    const mirrored = env.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === AUDIT_CHANNEL);
    const lines = mirrored.map((c) => String(c.args.text));
    expect(lines.some((l) => l.includes('*requested*') && l.includes('release-bot'))).toBe(true);
    await waitUntil(() => env.slack.callsTo('chat.postMessage').some((c) => c.args.channel === AUDIT_CHANNEL && String(c.args.text).includes('*executed*')));
    const threaded = env.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === AUDIT_CHANNEL && c.args.thread_ts);
    expect(threaded.length).toBeGreaterThan(0);
  });

  it('sends only schema-valid GraphQL and never leaks a secret into logs, Redis or Slack', async () => {
    expect(env.harness.invalidDocuments).toEqual([]);
    const redis = new Redis(env.redis.url);
    try {
      const keys = await redis.keys('*');
      const dump: string[] = [];
      for (const k of keys) {
        const type = await redis.type(k);
        if (type === 'string') dump.push((await redis.get(k)) ?? '');
        if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(k)));
        if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(k, '-', '+')));
        if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(k, 0, -1)));
      }
      const everything = [dump.join('\n'), env.logs.join('\n'), // The token legitimately travels as auth (auth.test sends it as a form field); content must not carry it.
        JSON.stringify(env.slack.calls.map(({ args: { token: _token, ...content } }) => content))].join('\n');
      expect(env.logs.length).toBeGreaterThan(0);
      for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });
});
