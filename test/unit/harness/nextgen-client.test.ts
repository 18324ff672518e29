import { inspect } from 'node:util';
import { NextGenError } from '../../../src/harness/nextgen/client';
import { ACC, BOT_KEY, eachTestOnAFreshSimulator } from './nextgen-setup';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VALUE = new RegExp(`^sat\\.${ACC}\\.[0-9a-f]{24}\\.[A-Za-z0-9]{20}$`);

const fresh = eachTestOnAFreshSimulator();

const sa = 'sa_0007';
const key = { serviceAccount: sa, identifier: 'slack_req_1', name: 'Deploy key for alice' };
const tokenRef = { serviceAccount: sa, apiKey: 'slack_req_1', identifier: 'slack_req_1_t1' };
async function keyAndToken(validTo = Date.now() + 7 * DAY) {
  await fresh.env.client.createApiKey(key);
  const token = await fresh.env.client.createToken({ ...tokenRef, name: 'alice deploy token', validTo, description: 'change window' });
  fresh.env.values.push(token.value);
  return token;
}
const ops = () => fresh.env.sim.requests.map((r) => r.operationId);

describe('NextGen client against the simulator', () => {
  it('sends x-api-key, Harness-Account, X-requestId and accountIdentifier on every call', async () => {
    expect(await fresh.env.client.checkCredentials()).toEqual({ visibleServiceAccounts: 150 });
    await keyAndToken();
    await fresh.env.client.listTokens(tokenRef);
    await fresh.env.client.deleteToken(tokenRef);
    expect(fresh.env.sim.requests.length).toBeGreaterThan(4);
    for (const r of fresh.env.sim.requests) {
      expect(r.headers['x-api-key']).toBe(BOT_KEY);
      expect(r.headers['harness-account']).toBe(ACC);
      expect(r.headers['x-requestid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.query.getAll('accountIdentifier')).toEqual([ACC]);
      expect(r.query.has('orgIdentifier')).toBe(false);
    }
    expect(fresh.env.sim.requests[0]!.query.get('pageSize')).toBe('1');
  });

  it('pages through more than 100 service accounts in a stable order', async () => {
    fresh.env.sim.state.denied.push('core_serviceaccount_view:sa_0003'); // listed only when viewable
    const all = await fresh.env.client.listServiceAccounts();
    expect(all).toHaveLength(149);
    expect(all[0]).toEqual({ identifier: 'sa_0000', name: 'Service account 0000', email: 'sa_0000@service.harness.io', apiKeyCount: 0 });
    expect(all.map((s) => s.identifier)).not.toContain('sa_0003');
    const pages = fresh.env.sim.requests.filter((r) => r.operationId === 'listAggregatedServiceAccounts');
    expect(pages.map((r) => [r.query.get('pageIndex'), r.query.get('pageSize'), r.query.get('sortOrders')])).toEqual([
      ['0', '100', 'identifier,ASC'],
      ['1', '100', 'identifier,ASC'],
    ]);
  });

  it('reads one service account, and says undefined for an unknown one', async () => {
    await fresh.env.client.createApiKey(key);
    expect(await fresh.env.client.getServiceAccount(sa)).toMatchObject({ identifier: sa, apiKeyCount: 1 });
    expect(await fresh.env.client.getServiceAccount('nobody')).toBeUndefined();
  });

  it('at org scope lists with the unpaged call and sends the org, never an empty one', async () => {
    fresh.env.sim.state.serviceAccounts.push({ ...fresh.env.sim.state.serviceAccounts[0]!, identifier: 'org_sa', orgIdentifier: 'default' });
    const client = fresh.env.clientWith({ orgId: 'default' });
    expect((await client.listServiceAccounts()).map((s) => s.identifier)).toEqual(['org_sa']);
    await client.createApiKey({ ...key, serviceAccount: 'org_sa' });
    expect(await client.listApiKeys('org_sa')).toHaveLength(1);
    expect(await fresh.env.client.listApiKeys('org_sa')).toHaveLength(0); // another scope
    const post = fresh.env.sim.requests.find((r) => r.operationId === 'createApiKey')!;
    expect(JSON.parse(post.body)).toMatchObject({ orgIdentifier: 'default', accountIdentifier: ACC });
    expect(JSON.parse(post.body)).not.toHaveProperty('projectIdentifier');
  });

  it('creates a key and a token whose value comes back once and never in a list', async () => {
    const validTo = Date.now() + 7 * DAY;
    const token = await keyAndToken(validTo);
    expect(token.value).toMatch(VALUE);
    expect(token.tokenId).toBe(token.value.split('.')[2]);
    // Loggable as is: the value is not enumerable.
    expect(JSON.stringify(token)).not.toContain(token.value);
    expect(inspect(token)).not.toContain(token.value);

    expect(await fresh.env.client.listApiKeys(sa)).toEqual([
      { identifier: 'slack_req_1', name: 'Deploy key for alice', serviceAccount: sa, tags: {}, defaultTokenLifetimeMs: 2_592_000_000 },
    ]);
    const tokens = await fresh.env.client.listTokens(tokenRef);
    expect(tokens).toEqual([
      expect.objectContaining({ identifier: 'slack_req_1_t1', name: 'alice deploy token', validTo, expiresAt: validTo, rotatedOut: false, valid: true, description: 'change window' }),
    ]);
    const secret = token.value.split('.')[3]!;
    for (const r of fresh.env.sim.requests.filter((x) => x.operationId !== 'createToken')) expect(r.body).not.toContain(secret);
    expect(fresh.env.sim.snapshot()).not.toContain(secret);
    // The value works as a credential, as in Harness.
    await expect(fresh.env.clientWith({ apiKey: token.value }).checkCredentials()).resolves.toBeDefined();
  });

  it('rotates without grace: the old value stops at once, the new one keeps the old expiry', async () => {
    const validTo = Date.now() + 7 * DAY;
    const old = await keyAndToken(validTo);
    const rotated = await fresh.env.client.rotateToken(tokenRef);
    fresh.env.values.push(rotated.value);
    expect(rotated.value).toMatch(VALUE);
    expect(rotated.tokenId).not.toBe(old.tokenId);
    expect(JSON.stringify(rotated)).not.toContain(rotated.value);
    const rotate = fresh.env.sim.requests.find((r) => r.operationId === 'rotateToken')!;
    expect(Number(rotate.query.get('rotateTimestamp'))).toBe(rotated.previousValidUntil);
    expect(fresh.env.sim.requests.filter((r) => r.operationId === 'rotateToken')).toHaveLength(1);

    expect(await fresh.env.client.listTokens(tokenRef)).toEqual([expect.objectContaining({ identifier: tokenRef.identifier, validTo, rotatedOut: false })]);
    expect((await fresh.env.caught(fresh.env.clientWith({ apiKey: old.value }).checkCredentials())).kind).toBe('unauthorized');
    await expect(fresh.env.clientWith({ apiKey: rotated.value }).checkCredentials()).resolves.toBeDefined();
  });

  it('rotates with grace: the old value works until the deadline, listed as rotated out', async () => {
    const old = await keyAndToken();
    const deadline = Date.now() + HOUR;
    const rotated = await fresh.env.client.rotateToken({ ...tokenRef, previousValidUntil: deadline });
    fresh.env.values.push(rotated.value);
    const tokens = await fresh.env.client.listTokens(tokenRef);
    expect(tokens).toHaveLength(2);
    expect(tokens.find((t) => t.rotatedOut)).toMatchObject({ identifier: expect.stringMatching(/^rotated_[A-Za-z]{15}$/), expiresAt: deadline });
    await expect(fresh.env.clientWith({ apiKey: old.value }).checkCredentials()).resolves.toBeDefined();

    fresh.env.advance(HOUR + 1000);
    expect((await fresh.env.caught(fresh.env.clientWith({ apiKey: old.value }).checkCredentials())).kind).toBe('unauthorized');
    expect(await fresh.env.client.listTokens(tokenRef)).toHaveLength(1); // Harness's TTL index deleted it
  });

  it('updates name and expiry, keeping the rest, and sends a full token without scheduledExpireTime', async () => {
    await keyAndToken();
    const validTo = Date.now() + 30 * DAY;
    const updated = await fresh.env.client.updateToken({ ...tokenRef, name: 'renamed', validTo });
    expect(updated).toMatchObject({ identifier: tokenRef.identifier, name: 'renamed', validTo, description: 'change window' });
    expect(await fresh.env.client.listTokens(tokenRef)).toEqual([expect.objectContaining({ name: 'renamed', validTo, description: 'change window' })]);
    const put = JSON.parse(fresh.env.sim.requests.find((r) => r.operationId === 'updateToken')!.body) as Record<string, unknown>;
    expect(put).toEqual(expect.objectContaining({ validFrom: expect.any(Number), validTo }));
    expect(put).not.toHaveProperty('scheduledExpireTime');
  });

  it('refuses to update a rotated-out or unknown token without sending the PUT', async () => {
    await keyAndToken();
    const rotated = await fresh.env.client.rotateToken({ ...tokenRef, previousValidUntil: Date.now() + HOUR });
    fresh.env.values.push(rotated.value);
    const rotatedOut = (await fresh.env.client.listTokens(tokenRef)).find((t) => t.rotatedOut)!;
    expect((await fresh.env.caught(fresh.env.client.updateToken({ ...tokenRef, identifier: rotatedOut.identifier, name: 'x' }))).kind).toBe('rejected');
    expect((await fresh.env.caught(fresh.env.client.updateToken({ ...tokenRef, identifier: 'nope', name: 'x' }))).kind).toBe('not_found');
    expect(ops()).not.toContain('updateToken');
  });

  it('deletes a token and a key (with its tokens); deleting again is uncertain and not retried', async () => {
    await keyAndToken();
    await fresh.env.client.deleteToken(tokenRef);
    expect(await fresh.env.client.listTokens(tokenRef)).toEqual([]);
    const again = await fresh.env.caught(fresh.env.client.deleteToken(tokenRef));
    expect(again).toMatchObject({ kind: 'uncertain', status: 500 });
    expect((again as NextGenError).details).toMatchObject({ operation: 'deleteToken', code: 'UNKNOWN_ERROR' });
    expect(again.message).toMatch(/not known whether anything changed/);
    expect(ops().filter((o) => o === 'deleteToken')).toHaveLength(2);

    const t2 = await fresh.env.client.createToken({ ...tokenRef, identifier: 't2', name: 't2', validTo: Date.now() + DAY });
    fresh.env.values.push(t2.value);
    await fresh.env.client.deleteApiKey({ serviceAccount: sa, identifier: key.identifier });
    expect(await fresh.env.client.listApiKeys(sa)).toEqual([]);
    expect(fresh.env.sim.state.tokens).toEqual([]);
    expect((await fresh.env.caught(fresh.env.client.deleteApiKey({ serviceAccount: sa, identifier: key.identifier }))).kind).toBe('uncertain');
    expect((await fresh.env.caught(fresh.env.clientWith({ apiKey: t2.value }).checkCredentials())).kind).toBe('unauthorized');
  });

  it('refuses a token under a missing key instead of letting Harness create "<key>_auto"', async () => {
    const err = await fresh.env.caught(fresh.env.client.createToken({ ...tokenRef, apiKey: 'slack_req_typo', name: 't', validTo: Date.now() + DAY }));
    expect(err.kind).toBe('not_found');
    expect(ops()).not.toContain('createToken');
    expect(fresh.env.sim.state.apiKeys).toEqual([]);
  });
});
