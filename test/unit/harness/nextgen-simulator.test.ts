import http from 'node:http';
import { isLoopback, makeServiceAccounts, startNextGenSimulator } from '../../../src/simulators/harness-nextgen';
import { ACC, BOT_KEY, startEnv, type Env } from './nextgen-setup';

const DAY = 86_400_000;
let env: Env;
beforeEach(async () => {
  env = await startEnv({ serviceAccounts: makeServiceAccounts(3) });
});
afterEach(() => env.sim.close());

const auth = { 'x-api-key': BOT_KEY, 'Harness-Account': ACC };
const keyQuery = (sa = 'sa_0001') => `accountIdentifier=${ACC}&apiKeyType=SERVICE_ACCOUNT&parentIdentifier=${sa}`;
const keyBody = { identifier: 'k1', name: 'k1', apiKeyType: 'SERVICE_ACCOUNT', parentIdentifier: 'sa_0001', accountIdentifier: ACC };
const tokenBody = (over: Record<string, unknown> = {}) => ({
  identifier: 't1', name: 't1', apiKeyIdentifier: 'k1', parentIdentifier: 'sa_0001', apiKeyType: 'SERVICE_ACCOUNT', validTo: Date.now() + DAY, ...over,
});

async function send(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}) {
  const headers = { ...auth, ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const res = await fetch(`${env.sim.url}${path}`, {
    method,
    headers,
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* 429 and forced bodies need not be JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}
const createKey = (body: Record<string, unknown> = keyBody) => send('POST', `/ng/api/apikey?accountIdentifier=${ACC}`, { body });
const createToken = (over?: Record<string, unknown>) => send('POST', `/ng/api/token?accountIdentifier=${ACC}`, { body: tokenBody(over) });
const tokenQuery = `${keyQuery()}&apiKeyIdentifier=k1`;

describe('NextGen simulator: strict where Harness is lax', () => {
  it('answers an unknown body property with 400 and records it', async () => {
    const res = await createKey({ ...keyBody, parentId: 'sa_0001' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 'FAILURE', code: 'INVALID_REQUEST', errors: [{ fieldId: null, error: 'must NOT have additional properties (parentId)' }] });
    expect(env.sim.invalidRequests).toEqual([{ method: 'POST', path: '/ng/api/apikey', operationId: 'createApiKey', errors: ['body must NOT have additional properties (parentId)'] }]);
    expect(env.sim.state.apiKeys).toEqual([]);
  });

  it.each([['1key'], ['my-key'], ['class'], ['']])('refuses the identifier %p', async (identifier) => {
    const res = await createKey({ ...keyBody, identifier });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ fieldId: 'identifier' })]));
    expect(env.sim.invalidRequests).toHaveLength(1);
  });

  it('wants accountIdentifier in the key body, and an account somewhere in every request', async () => {
    const { accountIdentifier: _a, ...body } = keyBody;
    expect((await createKey(body)).status).toBe(400);
    const noAccount = await send('GET', `/ng/api/apikey?apiKeyType=SERVICE_ACCOUNT&parentIdentifier=sa_0001`, { headers: { 'Harness-Account': '' } });
    expect(noAccount).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST', message: 'Invalid request: Account detail is not present in the request' } });
  });

  it('answers media, JSON and route errors as Harness does', async () => {
    expect((await send('POST', `/ng/api/apikey?accountIdentifier=${ACC}`, { raw: 'x', headers: { 'content-type': 'application/xml' } })).json).toMatchObject({ status: 'FAILURE', code: 'MEDIA_NOT_SUPPORTED' });
    expect((await send('POST', `/ng/api/apikey?accountIdentifier=${ACC}`, { raw: '{"identifier":' })).json).toMatchObject({ code: 400, message: 'Unable to process JSON' });
    expect(await send('GET', `/ng/api/apikeys?accountIdentifier=${ACC}`)).toMatchObject({ status: 400, json: { code: 'RESOURCE_NOT_FOUND_EXCEPTION', message: 'HTTP 404 Not Found' } });
    expect(env.sim.invalidRequests).toHaveLength(3);
  });
});

describe('NextGen simulator: behaves as FACTS.md says', () => {
  it('401 INVALID_TOKEN without a correlation id; correlation ids echo X-requestId otherwise', async () => {
    const res = await send('GET', `/ng/api/apikey?${keyQuery()}`, { headers: { 'x-api-key': 'sat.wrong' } });
    expect(res).toMatchObject({ status: 401, json: { status: 'ERROR', code: 'INVALID_TOKEN', message: 'Token is not valid.', correlationId: null } });
    const ok = await send('GET', `/ng/api/apikey?${keyQuery()}`, { headers: { 'X-requestId': 'req-42' } });
    expect(ok.json).toEqual({ status: 'SUCCESS', data: [], metaData: null, correlationId: 'req-42' });
  });

  it('429 above the per-key rate over a sliding minute, without Retry-After and without a JSON body', async () => {
    await env.sim.close();
    env = await startEnv({ rateLimitPerMinute: 2 });
    await send('GET', `/ng/api/apikey?${keyQuery()}`);
    env.advance(30_000);
    await send('GET', `/ng/api/apikey?${keyQuery()}`);
    const limited = await send('GET', `/ng/api/apikey?${keyQuery()}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.json).toEqual({});
    env.advance(30_001); // the first request left the window
    expect((await send('GET', `/ng/api/apikey?${keyQuery()}`)).status).toBe(200);
  });

  it('mints sat.<account>.<24 hex>.<20 alphanumerics>, which authenticates and can be validated', async () => {
    await createKey();
    const value = String((await createToken()).json.data);
    expect(value).toMatch(new RegExp(`^sat\\.${ACC}\\.[0-9a-f]{24}\\.[A-Za-z0-9]{20}$`));
    const validated = await send('POST', `/ng/api/token/validate?accountIdentifier=${ACC}`, { raw: value, headers: { 'content-type': 'text/plain', 'x-api-key': value } });
    expect(validated.json.data).toMatchObject({ identifier: 't1', email: 'sa_0001@service.harness.io', encodedPassword: null });
    const forged = `${value.slice(0, -1)}${value.endsWith('a') ? 'b' : 'a'}`;
    expect((await send('POST', `/ng/api/token/validate?accountIdentifier=${ACC}`, { raw: forged, headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect(env.sim.invalidRequests).toEqual([]);
  });

  it('a token under a missing key silently creates "<key>_auto"', async () => {
    expect((await createToken({ apiKeyIdentifier: 'typo' })).status).toBe(200);
    expect(env.sim.state.apiKeys).toEqual([expect.objectContaining({ identifier: 'typo', name: 'typo_auto', description: 'Auto Generated API key' })]);
  });

  it('refuses a past validTo and a duplicate identifier in any case; 5 keys and 5 tokens at most', async () => {
    await createKey();
    expect((await createToken({ validTo: Date.now() - 1000 })).json.message).toMatch(/^Invalid request: Token's validTo cannot be set before current time/);
    await createToken();
    expect((await createToken({ identifier: 'T1' })).json).toMatchObject({ code: 'DUPLICATE_FIELD', message: 'Try using different token name, [T1] already exists' });
    for (let i = 2; i <= 5; i++) expect((await createToken({ identifier: `t${i}` })).status).toBe(200);
    expect((await createToken({ identifier: 't6' })).json.message).toBe('Invalid request: Maximum limit has reached');
    for (let i = 2; i <= 5; i++) await createKey({ ...keyBody, identifier: `k${i}` });
    expect((await createKey({ ...keyBody, identifier: 'k6' })).json.message).toBe('Invalid request: Maximum limit has reached');
    expect((await createKey({ ...keyBody, identifier: 'K2' })).json.code).toBe('INVALID_REQUEST'); // the limit is checked first
  });

  it('rotation at the limit stops half-way: the old token is renamed and scheduled, no new one', async () => {
    await createKey();
    for (let i = 1; i <= 5; i++) await createToken({ identifier: `t${i}` });
    const deadline = Date.now() + 60_000;
    const res = await send('POST', `/ng/api/token/rotate/t1?${tokenQuery}&rotateTimestamp=${deadline}`);
    expect(res.json.message).toBe('Invalid request: Maximum limit has reached');
    expect(env.sim.state.tokens.filter((t) => t.identifier === 't1')).toEqual([]);
    expect(env.sim.state.tokens.find((t) => t.identifier.startsWith('rotated_'))).toMatchObject({ name: 't1', scheduledExpireTime: deadline });
  });

  it('unknown ids on update, delete and rotate are HTTP 500 UNKNOWN_ERROR', async () => {
    await createKey();
    const unknown = { status: 500, json: { status: 'ERROR', code: 'UNKNOWN_ERROR' } };
    expect(await send('DELETE', `/ng/api/token/nope?${tokenQuery}`)).toMatchObject(unknown);
    expect(await send('POST', `/ng/api/token/rotate/nope?${tokenQuery}&rotateTimestamp=1`)).toMatchObject(unknown);
    expect(await send('PUT', `/ng/api/token/nope?accountIdentifier=${ACC}`, { body: tokenBody({ identifier: 'nope', validFrom: Date.now() }) })).toMatchObject(unknown);
    expect(await send('DELETE', `/ng/api/apikey/nope?${keyQuery()}`)).toMatchObject(unknown);
    expect(await send('PUT', '/ng/api/apikey/ignored', { body: { ...keyBody, identifier: 'nope' } })).toMatchObject(unknown);
    // A missing service account is a 400 instead.
    expect(await send('DELETE', `/ng/api/apikey/k1?${keyQuery('ghost')}`)).toMatchObject({ status: 400, json: { code: 'RESOURCE_NOT_FOUND_EXCEPTION' } });
    expect(env.sim.invalidRequests).toEqual([]);
  });

  it('finds the key to update by the body, and refuses to update a rotated token', async () => {
    await createKey();
    const put = await send('PUT', '/ng/api/apikey/whatever', { body: { ...keyBody, name: 'renamed' } });
    expect(put.json.data).toMatchObject({ identifier: 'k1', name: 'renamed', defaultTimeToExpireToken: 2_592_000_000 });
    await createToken();
    const rotated = await send('PUT', `/ng/api/token/t1?accountIdentifier=${ACC}`, { body: tokenBody({ validFrom: Date.now(), scheduledExpireTime: Date.now() + 1 }) });
    expect(rotated.json.message).toBe('Invalid request: Rotated tokens cannot be updated');
  });

  it('deletes expired tokens by itself, and pages past the end to an empty page', async () => {
    await createKey();
    await createToken({ validTo: Date.now() + 5000 });
    expect(env.sim.state.tokens).toHaveLength(1);
    env.advance(5001);
    const page = await send('GET', `/ng/api/token/aggregate?${tokenQuery}&pageIndex=3`);
    expect(page.json.data).toMatchObject({ totalItems: 0, content: [], empty: true, pageIndex: 3 });
    expect(env.sim.state.tokens).toEqual([]);
  });

  it('searchTerm is a regex ("(" is a 500), and the aggregate list fails at org scope', async () => {
    const base = `/ng/api/serviceaccount/aggregate?accountIdentifier=${ACC}`;
    expect((await send('GET', `${base}&searchTerm=${encodeURIComponent('0{3}1')}`)).json.data).toMatchObject({ totalItems: 1 });
    expect((await send('GET', `${base}&searchTerm=${encodeURIComponent('(')}`)).status).toBe(500);
    expect((await send('GET', `${base}&orgIdentifier=default`)).status).toBe(500);
  });

  it('forces failures for n requests, optionally of one operation only', async () => {
    env.sim.modeFor({ kind: 'status', status: 503, body: 'down', contentType: 'text/plain' }, 1, { operationId: 'createApiKey' });
    expect((await send('GET', `/ng/api/apikey?${keyQuery()}`)).status).toBe(200);
    expect((await createKey()).status).toBe(503);
    expect((await createKey()).status).toBe(200);
  });
});

describe('NextGen simulator: plumbing', () => {
  it('serves loopback only', () => {
    expect(env.sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/gateway$/);
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:192.168.1.2', '0.0.0.0', 'fe80::1', undefined]) expect(isLoopback(a)).toBe(false);
  });

  it('seeds many service accounts with unique identifiers', () => {
    const many = makeServiceAccounts(150);
    expect(new Set(many.map((s) => s.identifier)).size).toBe(150);
  });

  it('snapshots and restores its state; tokens minted before still authenticate afterwards', async () => {
    await createKey();
    const value = String((await createToken()).json.data);
    const saved = env.sim.snapshot();
    await createKey({ ...keyBody, identifier: 'k2' });
    env.sim.restore(saved);
    expect(env.sim.state.apiKeys.map((k) => k.identifier)).toEqual(['k1']);

    const port = env.sim.port;
    await env.sim.close();
    const again = await startNextGenSimulator({ apiKey: BOT_KEY, accountId: ACC, state: saved, port });
    try {
      expect(again.port).toBe(port);
      // node:http without an agent: fetch's pool may still hold a socket to the closed server on this port.
      const status = await new Promise<number | undefined>((resolve, reject) => {
        http
          .get(`${again.url}/ng/api/apikey?${keyQuery()}`, { agent: false, headers: { 'x-api-key': value, 'Harness-Account': ACC } }, (res) => {
            res.resume();
            resolve(res.statusCode);
          })
          .on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      await again.close();
    }
    env = await startEnv(); // for afterEach
  });
});
