import { createHash } from 'node:crypto';
import type { AuditFields } from '../../../src/domain/audit';
import {
  GENESIS,
  HASHED_FIELDS,
  canonicalCheckpoint,
  canonicalEntry,
  chainKeys,
  hashEntry,
  parseCheckpoint,
  signCheckpoint,
  type AuditCheckpoint,
} from '../../../src/store/audit-chain';

const KEY = 'k'.repeat(32);
const entry: AuditFields = {
  event: 'requested',
  requestId: 'req-1',
  operation: 'create',
  actorId: 'U1',
  requesterId: 'U1',
  keyName: 'k',
  keyUuid: '',
  userGroupIds: 'g1',
  reason: 'r',
  at: '2026-01-01T00:00:00.000Z',
};

describe('the audit hash chain', () => {
  it('serialises an entry as JSON in the schema order, then prevHash (the README documents this exact form)', () => {
    expect(canonicalEntry(entry, GENESIS)).toBe(
      '{"event":"requested","requestId":"req-1","operation":"create","actorId":"U1","requesterId":"U1","keyName":"k","keyUuid":"","userGroupIds":"g1","reason":"r","at":"2026-01-01T00:00:00.000Z","prevHash":"0000000000000000000000000000000000000000000000000000000000000000"}',
    );
    // Whatever order the caller built the object in.
    const shuffled = Object.fromEntries(Object.entries(entry).reverse());
    expect(canonicalEntry(shuffled, GENESIS)).toBe(canonicalEntry(entry, GENESIS));
  });

  it('pins the hash: SHA-256 without a key, HMAC-SHA256 with one (the same values Python computes)', () => {
    expect(hashEntry(entry, GENESIS)).toBe('3e40586da212db50bb26a19fd91fd12a2f4b3cec0ea2356c3bfe73b0b2d3b0c1');
    expect(hashEntry(entry, GENESIS, KEY)).toBe('237243db92a7dbca942c9f50157579484c99bee0032b899df8ce85c7c39f232f');
    expect(hashEntry(entry, GENESIS)).toBe(createHash('sha256').update(canonicalEntry(entry, GENESIS)).digest('hex'));
  });

  it('covers every field and the previous hash, and only those', () => {
    const base = hashEntry(entry, GENESIS, KEY);
    expect(hashEntry({ ...entry, reason: 'R' }, GENESIS, KEY)).not.toBe(base);
    expect(hashEntry({ ...entry, detail: '' }, GENESIS, KEY)).not.toBe(base);
    expect(hashEntry(entry, 'a'.repeat(64), KEY)).not.toBe(base);
    // The chain's own fields are not hashed (prevHash is, once, as the link).
    expect(hashEntry({ ...entry, prevHash: 'x', hash: 'y' }, GENESIS, KEY)).toBe(base);
    expect(HASHED_FIELDS).not.toContain('hash');
    expect(HASHED_FIELDS).not.toContain('prevHash');
    // Fields added later come after the original ones, in schema order (README: the hash).
    expect(HASHED_FIELDS.slice(-4)).toEqual(['detail', 'previousName', 'previousUserGroupIds', 'serviceAccount']);
  });

  it('escapes values so that no two entries serialise alike', () => {
    const a = canonicalEntry({ ...entry, reason: 'a","keyName":"b' }, GENESIS);
    const b = canonicalEntry({ ...entry, reason: 'a', keyName: 'b' }, GENESIS);
    expect(a).not.toBe(b);
    expect(JSON.parse(a)).toMatchObject({ reason: 'a","keyName":"b' });
  });

  it('signs checkpoints over their four facts, and reads back only well-formed ones', () => {
    const c: AuditCheckpoint = { at: '2026-01-01T01:00:00.000Z', length: 3, lastId: '1767229200000-0', headHash: 'ab'.repeat(32) };
    expect(canonicalCheckpoint({ ...c, signature: 'ignored' })).toBe(
      `{"at":"2026-01-01T01:00:00.000Z","length":3,"lastId":"1767229200000-0","headHash":"${'ab'.repeat(32)}"}`,
    );
    const signed = { ...c, signature: signCheckpoint(c, KEY) };
    expect(signCheckpoint({ ...c, length: 4 }, KEY)).not.toBe(signed.signature);
    expect(parseCheckpoint(JSON.stringify(signed))).toEqual(signed);
    expect(parseCheckpoint('not json')).toBeUndefined();
    expect(parseCheckpoint(JSON.stringify({ ...c, lastId: 'x' }))).toBeUndefined();
    expect(parseCheckpoint(JSON.stringify({ ...c, length: '3' }))).toBeUndefined();
  });

  it('keeps its keys beside the stream', () => {
    expect(chainKeys.head('apikey:audit')).toBe('apikey:audit:head');
    expect(chainKeys.checkpoints('apikey:audit')).toBe('apikey:audit:checkpoints');
  });
});
