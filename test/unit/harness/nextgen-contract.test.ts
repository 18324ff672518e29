import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NEXTGEN_OPENAPI_PATH, validateNextGenRequest } from '../../../src/simulators/contracts';

const repoRoot = path.join(__dirname, '..', '..', '..');
const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'harness-nextgen-openapi.yaml');
const SHARED = path.join(repoRoot, '..', 'shared', 'harness', 'nextgen', 'openapi.yaml');

const ACC = 'px7xd_BFRCi-pfWPYXVjvw';
const headers = { 'x-api-key': 'k', 'Harness-Account': ACC, 'content-type': 'application/json' };
const keyBody = { identifier: 'slack_req_1', name: 'Deploy key', apiKeyType: 'SERVICE_ACCOUNT', parentIdentifier: 'ci_deployer', accountIdentifier: ACC };
const createKey = (body: unknown) => validateNextGenRequest({ method: 'POST', path: `/ng/api/apikey?accountIdentifier=${ACC}`, headers, body });

describe('the NextGen OpenAPI copy', () => {
  it('is the file the validator loads', () => {
    expect(NEXTGEN_OPENAPI_PATH).toBe(FIXTURE);
  });

  (existsSync(SHARED) ? it : it.skip)('equals ../shared/harness/nextgen/openapi.yaml (skipped when that file is absent)', () => {
    expect(readFileSync(FIXTURE, 'utf8')).toBe(readFileSync(SHARED, 'utf8'));
  });
  if (!existsSync(SHARED)) {
    it('cannot be compared: ../shared/harness/nextgen/openapi.yaml is absent', () => {
      console.warn(`Skipping the equality check: ${SHARED} does not exist.`);
    });
  }
});

describe('validateNextGenRequest', () => {
  it('accepts a correct request and names its operation', () => {
    expect(createKey(keyBody)).toEqual({ operationId: 'createApiKey', errors: [] });
    expect(createKey({ ...keyBody, orgIdentifier: null, description: null, tags: { a: 'b' } }).errors).toEqual([]);
  });

  it('rejects an unknown body property (Harness would drop it silently)', () => {
    expect(createKey({ ...keyBody, parentId: 'ci_deployer' }).errors).toEqual(['body must NOT have additional properties (parentId)']);
  });

  it.each([
    ['a digit first', '1key'],
    ['a hyphen', 'my-key'],
    ['a reserved word', 'account'],
    ['129 characters', `k${'x'.repeat(128)}`],
  ])('rejects an identifier with %s', (_what, identifier) => {
    const { errors } = createKey({ ...keyBody, identifier });
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(/^body\/identifier /);
  });

  it('rejects a name Harness refuses, and a body without accountIdentifier (FACTS trap 2)', () => {
    expect(createKey({ ...keyBody, name: "Alice's key" }).errors).toEqual([expect.stringMatching(/^body\/name must match pattern/)]);
    const { accountIdentifier: _a, ...withoutAccount } = keyBody;
    expect(createKey(withoutAccount).errors).toEqual(["body must have required property 'accountIdentifier'"]);
  });

  it('checks query parameters, headers, path parameters and content type', () => {
    const rotate = (query: string, h: Record<string, string> = headers) =>
      validateNextGenRequest({ method: 'POST', path: `/ng/api/token/rotate/t1?${query}`, headers: h }).errors;
    const q = `accountIdentifier=${ACC}&apiKeyType=SERVICE_ACCOUNT&parentIdentifier=sa&apiKeyIdentifier=k`;
    expect(rotate(`${q}&rotateTimestamp=1700000000000`)).toEqual([]);
    expect(rotate(q)).toEqual(['query rotateTimestamp is required']);
    expect(rotate(`${q}&rotateTimestamp=soon`)).toEqual(['query rotateTimestamp must be integer']);
    expect(rotate(`${q}&rotateTimestamp=1&orgIdentifier=`)).toEqual(['query orgIdentifier must NOT have fewer than 1 characters']);
    expect(rotate(`${q}&rotateTimestamp=1&accountId=x`)).toEqual(['query accountId is not a parameter of rotateToken']);
    expect(rotate(`${q}&rotateTimestamp=1`, { 'Harness-Account': ACC })).toEqual(['header x-api-key is required (security scheme)']);

    const put = (h: Record<string, string>) => validateNextGenRequest({ method: 'PUT', path: '/ng/api/apikey/slack_req_1', headers: h, body: JSON.stringify(keyBody) }).errors;
    expect(put(headers)).toEqual([]);
    expect(put({ 'x-api-key': 'k', 'content-type': 'application/json' })).toEqual(['header Harness-Account is required']);
    expect(put({ ...headers, 'content-type': 'text/plain' })).toEqual(['content-type "text/plain" is not one of application/json']);
    expect(validateNextGenRequest({ method: 'GET', path: `/ng/api/apikey?accountIdentifier=${ACC}&apiKeyType=SERVICE_ACCOUNT&parentIdentifier=sa`, headers, body: '{}' }).errors).toEqual([
      'listApiKeys takes no request body',
    ]);
  });

  it('prefers a literal path segment, and reports unknown routes and methods', () => {
    const list = validateNextGenRequest({ method: 'GET', path: `/ng/api/token/aggregate?accountIdentifier=${ACC}&apiKeyType=SERVICE_ACCOUNT&parentIdentifier=sa&apiKeyIdentifier=k`, headers });
    expect(list).toEqual({ operationId: 'listAggregatedTokens', errors: [] });
    expect(validateNextGenRequest({ method: 'GET', path: '/ng/api/apikeys', headers }).errors).toEqual(['no operation for path /ng/api/apikeys']);
    expect(validateNextGenRequest({ method: 'PATCH', path: '/ng/api/token/t1', headers }).errors).toEqual(['PATCH is not an operation of /ng/api/token/t1']);
  });

  it('accepts repeated array parameters and rejects a repeated single one', () => {
    const base = `/ng/api/serviceaccount?accountIdentifier=${ACC}`;
    expect(validateNextGenRequest({ method: 'GET', path: `${base}&identifiers=a&identifiers=b`, headers }).errors).toEqual([]);
    expect(validateNextGenRequest({ method: 'GET', path: `${base}&accountIdentifier=${ACC}`, headers }).errors).toEqual([
      'query accountIdentifier must be sent once, was sent 2 times',
    ]);
  });
});
