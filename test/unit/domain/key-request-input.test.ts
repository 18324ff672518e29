import { validateKeyRequest } from '../../../src/domain/key-request-input';

const G1 = 'aaaaaaaaaaaaaaaaaaaaaa';
const G2 = 'bbbbbbbbbbbbbbbbbbbb-_';
const ctx = { nameTaken: (n: string) => n === 'taken', groupsById: new Map([[G1, 'admins'], [G2, 'devs']]) };

describe('validateKeyRequest', () => {
  it('accepts a good request, trims the reason and de-duplicates groups', () => {
    expect(validateKeyRequest({ name: 'ci', userGroupIds: [G1, G2, G1], reason: '  deploys  ' }, ctx)).toEqual({
      ok: true,
      value: { name: 'ci', userGroupIds: [G1, G2], reason: 'deploys' },
    });
  });

  it.each([
    [undefined, /Enter a name/],
    ['', /Enter a name/],
    ['\u2028x', /spaces at the start or end|control characters/],
    ['a\u0000b', /control characters/],
    ['a\rb', /line breaks/],
    ['é'.repeat(129), /at most 128/],
    ['taken', /already exists/],
  ])('refuses name %p', (name, message) => {
    const r = validateKeyRequest({ name, userGroupIds: [G1], reason: 'r' }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.name).toMatch(message);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateKeyRequest({ name: '🔑'.repeat(128), userGroupIds: [G1], reason: 'r' }, ctx).ok).toBe(true);
  });

  it('refuses malformed and unknown group ids', () => {
    const bad = validateKeyRequest({ name: 'x', userGroupIds: ['short'], reason: 'r' }, ctx);
    expect(!bad.ok && bad.errors.userGroupIds).toMatch(/not a Harness user group id/);
    const unknown = validateKeyRequest({ name: 'x', userGroupIds: [G1, 'cccccccccccccccccccccc'], reason: 'r' }, ctx);
    expect(!unknown.ok && unknown.errors.userGroupIds).toBe(
      'Not a user group in this Harness account: cccccccccccccccccccccc. Pick groups from the list.',
    );
  });
});
