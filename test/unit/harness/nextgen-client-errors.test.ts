import { NextGenError } from '../../../src/harness/nextgen/client';
import { ACC, BOT_KEY, eachTestOnAFreshSimulator } from './nextgen-setup';

const DAY = 86_400_000;
const fresh = eachTestOnAFreshSimulator();

const sa = 'sa_0001';
const tokenRef = { serviceAccount: sa, apiKey: 'k1', identifier: 't1' };
const details = (err: unknown) => (err as NextGenError).details;
const ops = () => fresh.env.sim.requests.map((r) => r.operationId);
const errorBody = (code: string, message: string) =>
  JSON.stringify({ status: 'ERROR', code, message, correlationId: 'c-1', detailedMessage: null, responseMessages: [{ code, level: 'ERROR', message }], metadata: null });

describe('NextGen client errors, in plain words', () => {
  it('401 INVALID_TOKEN: an operator must check the key, which the message never contains', async () => {
    const err = await fresh.env.caught(fresh.env.clientWith({ apiKey: `${BOT_KEY}x` }).listServiceAccounts());
    expect(err).toMatchObject({ kind: 'unauthorized', status: 401, name: 'HarnessError' });
    expect(err.message).toMatch(/An operator must check HARNESS_API_KEY/);
    expect(details(err)).toMatchObject({ operation: 'listServiceAccounts', code: 'INVALID_TOKEN' });
    expect(err.message).not.toContain(`${BOT_KEY}x`);
  });

  it('403 access denied: the permission goes to the details, the person is told an operator must grant it', async () => {
    fresh.env.sim.state.denied.push(`core_serviceaccount_manageapikey:${sa}`);
    const err = await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k1', name: 'k1' }));
    expect(err).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(err.message).toMatch(/An operator must grant the bot's service account the missing permission/);
    expect(details(err)).toMatchObject({ permission: 'core_serviceaccount_manageapikey', resourceType: 'SERVICEACCOUNT', resourceIdentifier: sa, code: 'NG_ACCESS_DENIED' });
    expect(details(err).harnessMessage).toMatch(/Missing permission core_serviceaccount_manageapikey/);
  });

  it('429 without Retry-After: rate_limited, and fine again once the minute has passed', async () => {
    await fresh.restart({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) await fresh.env.client.checkCredentials();
    const err = await fresh.env.caught(fresh.env.client.checkCredentials());
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(err.message).toMatch(/Try again in a minute/);
    fresh.env.advance(60_001);
    await expect(fresh.env.client.checkCredentials()).resolves.toBeDefined();
  });

  it('the 5-keys and 5-tokens limits', async () => {
    for (let i = 1; i <= 5; i++) await fresh.env.client.createApiKey({ serviceAccount: sa, identifier: `k${i}`, name: `key ${i}` });
    const keys = await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k6', name: 'key 6' }));
    expect(keys).toMatchObject({ kind: 'limit', status: 400 });
    expect(keys.message).toMatch(/already has 5 API keys.*delete one first/);

    for (let i = 1; i <= 5; i++) {
      fresh.env.values.push((await fresh.env.client.createToken({ ...tokenRef, identifier: `t${i}`, name: `t${i}`, validTo: Date.now() + DAY })).value);
    }
    const tokens = await fresh.env.caught(fresh.env.client.createToken({ ...tokenRef, identifier: 't6', name: 't6', validTo: Date.now() + DAY }));
    expect(tokens).toMatchObject({ kind: 'limit' });
    expect(tokens.message).toMatch(/already has 5 tokens/);
    // Rotating needs a free slot: the client refuses rather than let Harness stop half-way.
    const rotate = await fresh.env.caught(fresh.env.client.rotateToken(tokenRef));
    expect(rotate.kind).toBe('limit');
    expect(ops()).not.toContain('rotateToken');
  });

  it('a taken identifier (any case) is a conflict; a missing service account is not_found', async () => {
    await fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'deploy', name: 'deploy' });
    const dup = await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'DEPLOY', name: 'deploy' }));
    expect(dup).toMatchObject({ kind: 'conflict', status: 400 });
    expect(details(dup).code).toBe('DUPLICATE_FIELD');
    const missing = await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: 'ghost', identifier: 'k', name: 'k' }));
    expect(missing).toMatchObject({ kind: 'not_found', status: 400 });
    expect(missing.message).toMatch(/Service account with identifier \[ghost\] is not found/);
  });

  it('refuses bad identifiers, names and past expiry before calling Harness', async () => {
    const calls = fresh.env.sim.requests.length;
    expect((await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'new', name: 'x' }))).message).toMatch(/reserved word/);
    expect((await fresh.env.caught(fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k', name: "Alice's key" }))).message).toMatch(/can only contain/);
    await fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k1', name: 'k1' });
    const past = await fresh.env.caught(fresh.env.client.createToken({ ...tokenRef, name: 't', validTo: Date.now() - 1 }));
    expect(past).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/must be in the future/) });
    expect(fresh.env.sim.requests.length).toBe(calls + 1);
  });

  it('Failure bodies list the fields; Error bodies lose the TokenDTO dump', async () => {
    const failure = { status: 'FAILURE', code: 'INVALID_REQUEST', message: 'x', correlationId: 'c', errors: [{ fieldId: 'identifier', error: 'cannot be empty' }, { fieldId: 'name', error: 'must not be blank' }] };
    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: failure }, 1);
    const f = await fresh.env.caught(fresh.env.client.listApiKeys(sa));
    expect(f).toMatchObject({ kind: 'rejected', message: 'Harness refused to list the API keys of service account sa_0001: identifier: cannot be empty, name: must not be blank' });

    const dto = "Invalid request: Token's validTo cannot be set before current time TokenDTO: [TokenDTO(identifier=t1, name=t)]";
    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: errorBody('INVALID_REQUEST', dto) }, 1);
    const e = await fresh.env.caught(fresh.env.client.listApiKeys(sa));
    expect(e.message).toBe("Harness refused to list the API keys of service account sa_0001: Token's validTo cannot be set before current time");
    expect(details(e)).toMatchObject({ code: 'INVALID_REQUEST', correlationId: 'c-1' });

    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: { code: 400, message: 'Unable to process JSON' } }, 1);
    expect((await fresh.env.caught(fresh.env.client.listApiKeys(sa))).message).toMatch(/This is a bug in the bot/);
    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: { status: 'FAILURE', code: 'RESOURCE_NOT_FOUND_EXCEPTION', message: 'HTTP 404 Not Found' } }, 1);
    expect((await fresh.env.caught(fresh.env.client.listApiKeys(sa))).message).toMatch(/check the Harness base URL/);
  });

  it('redacts the API key and token values that Harness echoes back', async () => {
    const echo = `Invalid request: Invalid API token sat.${ACC}.0123456789abcdef01234567.AbCdEfGhIjKlMnOpQrSt for ${BOT_KEY}`;
    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: errorBody('INVALID_REQUEST', echo) }, 1);
    const err = await fresh.env.caught(fresh.env.client.listApiKeys(sa));
    expect(err.message).toContain('[redacted');
    expect(err.message).not.toContain('AbCdEfGhIjKlMnOpQrSt');
    fresh.env.values.push(`sat.${ACC}.0123456789abcdef01234567.AbCdEfGhIjKlMnOpQrSt`);
  });

  it('5xx: unavailable on reads, uncertain on writes; a gateway HTML page is fine', async () => {
    fresh.env.sim.modeFor({ kind: 'status', status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' }, 2);
    expect(await fresh.env.caught(fresh.env.client.listApiKeys(sa))).toMatchObject({ kind: 'unavailable', status: 502 });
    expect(await fresh.env.caught(fresh.env.client.deleteApiKey({ serviceAccount: sa, identifier: 'k1' }))).toMatchObject({ kind: 'uncertain', status: 502 });
  });

  it('a half-done rotation is uncertain and says what may have happened', async () => {
    await fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k1', name: 'k1' });
    fresh.env.values.push((await fresh.env.client.createToken({ ...tokenRef, name: 't', validTo: Date.now() + DAY })).value);
    fresh.env.sim.modeFor({ kind: 'status', status: 400, body: errorBody('INVALID_REQUEST', 'Invalid request: Maximum limit has reached') }, 1, { operationId: 'rotateToken' });
    const err = await fresh.env.caught(fresh.env.client.rotateToken({ ...tokenRef, previousValidUntil: Date.now() + DAY }));
    expect(err.kind).toBe('uncertain');
    expect(details(err).underlyingKind).toBe('limit');
    expect(err.message).toMatch(/renamed "rotated_…".*List the key's tokens before deciding/);
  });

  it('bad 2xx bodies, timeouts and unreachable servers', async () => {
    fresh.env.sim.modeFor({ kind: 'status', status: 200, body: '{"status":"SUCCESS","data":{"content":"nope"}}' }, 1);
    const bad = await fresh.env.caught(fresh.env.client.listServiceAccounts());
    expect(bad.kind).toBe('bad_response');
    await fresh.env.client.createApiKey({ serviceAccount: sa, identifier: 'k1', name: 'k1' });
    // A token-bearing answer that does not parse keeps nothing of it, not even in `cause`.
    fresh.env.sim.modeFor({ kind: 'status', status: 200, body: `{"status":"SUCCESS","data":"${BOT_KEY}!"}` }, 1, { operationId: 'createToken' });
    const minted = await fresh.env.caught(fresh.env.client.createToken({ ...tokenRef, name: 't', validTo: Date.now() + DAY }));
    expect(minted).toMatchObject({ kind: 'bad_response' });
    expect(minted.cause).toBeUndefined();

    fresh.env.sim.modeFor({ kind: 'delay', ms: 400 }, 1);
    expect(await fresh.env.caught(fresh.env.clientWith({ timeoutMs: 100 }).listApiKeys(sa))).toMatchObject({ kind: 'timeout' });
    await new Promise((r) => setTimeout(r, 400));
    const port = fresh.env.sim.port;
    await fresh.env.sim.close();
    const gone = await fresh.env.caught(fresh.env.clientWith({ baseUrl: `http://127.0.0.1:${port}` }).listApiKeys(sa));
    expect(gone.kind).toBe('network');
    await fresh.restart(); // for afterEach
  });
});
