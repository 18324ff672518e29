import {
  RESERVED_IDENTIFIERS,
  toHarnessIdentifier,
  toHarnessName,
  uniqueIdentifier,
  validateHarnessName,
  validateIdentifier,
} from '../../../src/domain/harness-identifier';

describe('validateIdentifier', () => {
  it.each(['a', '_', 'slack_req_1234', 'A_b_9', `a${'x'.repeat(127)}`, 'StepGroup'])('accepts %p', (id) => {
    expect(validateIdentifier(id)).toBeUndefined();
  });

  it.each([
    ['', /cannot be empty/],
    [`a${'x'.repeat(128)}`, /at most 128/],
    ['1abc', /start with a letter or an underscore/],
    ['$abc', /start with a letter or an underscore/],
    ['my-key', /only contain letters, digits and underscores/],
    ['a b', /only contain letters, digits and underscores/],
    ['cost$', /only contain letters, digits and underscores/],
    ['é', /start with a letter/],
    ['stepGroup', /reserved word/],
    ['null', /reserved word/],
  ])('refuses %p', (id, message) => {
    expect(validateIdentifier(id)).toMatch(message);
  });

  it('allows $ only when asked to (the server accepts it, the Harness UI does not)', () => {
    expect(validateIdentifier('cost$', { allowDollar: true })).toBeUndefined();
    expect(validateIdentifier('$cost', { allowDollar: true })).toMatch(/start with/);
  });

  it('knows all 24 reserved words', () => {
    expect(RESERVED_IDENTIFIERS.size).toBe(24);
  });
});

describe('toHarnessIdentifier', () => {
  it.each([
    ['Deploy key for Alice', 'deploy_key_for_alice'],
    ["Alice's key (prod)", 'alice_s_key_prod'],
    ['  Zoë  Müller ', 'zoe_muller'],
    ['2024 release', '_2024_release'],
    ['🔑🔑', 'key'],
    ['', 'key'],
    ['new', 'new_'],
    ['Account', 'account_'],
    ['a--b__c', 'a_b_c'],
  ])('%p → %p', (name, id) => {
    expect(toHarnessIdentifier(name)).toBe(id);
  });

  it('always yields a valid identifier within the length asked for', () => {
    const samples = ['x'.repeat(300), '9'.repeat(200), `${'a'.repeat(127)} b`, 'return', '___', '日本語', 'ǅemal'];
    for (const s of samples) {
      for (const maxLength of [1, 3, 20, 128]) {
        const id = toHarnessIdentifier(s, { maxLength });
        expect(validateIdentifier(id)).toBeUndefined();
        expect(id.length).toBeLessThanOrEqual(maxLength);
      }
    }
  });

  it('uses the fallback when nothing usable is left', () => {
    expect(toHarnessIdentifier('!!!', { fallback: 'token' })).toBe('token');
  });
});

describe('uniqueIdentifier', () => {
  it('compares ignoring case, as Harness does for keys and tokens', () => {
    expect(uniqueIdentifier('deploy', [])).toBe('deploy');
    expect(uniqueIdentifier('deploy', ['DEPLOY'])).toBe('deploy_2');
    expect(uniqueIdentifier('deploy', ['deploy', 'Deploy_2'])).toBe('deploy_3');
  });

  it('cuts the base to keep within 128 characters', () => {
    const base = 'a'.repeat(128);
    const id = uniqueIdentifier(base, [base]);
    expect(id).toBe(`${'a'.repeat(126)}_2`);
    expect(validateIdentifier(id)).toBeUndefined();
  });
});

describe('Harness names', () => {
  it('validates as NGEntityNameValidator does', () => {
    expect(validateHarnessName('Deploy key 1.2/prod_x-y')).toBeUndefined();
    expect(validateHarnessName('   ')).toMatch(/cannot be empty/);
    expect(validateHarnessName('x'.repeat(129))).toMatch(/at most 128/);
    expect(validateHarnessName("Alice's key")).toMatch(/only contain/);
  });

  it.each([
    ["Alice's key", 'Alice s key'],
    ['Zoë: deploy @ prod (EU)', 'Zoe deploy prod EU'],
    ['🔑', 'API key'],
    ['ok name', 'ok name'],
  ])('sanitizes %p to %p', (input, output) => {
    expect(toHarnessName(input)).toBe(output);
    expect(validateHarnessName(toHarnessName(input))).toBeUndefined();
  });
});
