import { compareStreamIds, parseAuditQuery, parseSince } from '../../../src/domain/audit-query';
import { parseArgs } from '../../../src/cli/audit-export';

const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('parseAuditQuery', () => {
  const q = (text: string) => parseAuditQuery(text, NOW);

  it('reads the four kinds of subject', () => {
    expect(q('')).toEqual({ ok: true, query: { target: { kind: 'all' }, sinceMs: 0 } });
    expect(q('<@U0ABC|alice>')).toMatchObject({ query: { target: { kind: 'user', userId: 'U0ABC' } } });
    expect(q('@U0ABC')).toMatchObject({ query: { target: { kind: 'user', userId: 'U0ABC' } } });
    expect(q('req-12ab-cd')).toMatchObject({ query: { target: { kind: 'request', requestId: 'req-12ab-cd' } } });
    expect(q('ci deploy key')).toMatchObject({ query: { target: { kind: 'key', key: 'ci deploy key' } } });
  });

  it('unescapes what Slack escaped in a key name', () => {
    expect(q('a&amp;b &lt;x&gt;')).toMatchObject({ query: { target: { kind: 'key', key: 'a&b <x>' } } });
  });

  it('takes --since as a duration or a date, anywhere in the text', () => {
    expect(q('--since 7d key')).toMatchObject({ query: { target: { key: 'key' }, sinceMs: NOW - 7 * 86_400_000 } });
    expect(q('key --since=12h')).toMatchObject({ query: { sinceMs: NOW - 12 * 3_600_000 } });
    expect(q('key --since 2026-01-31')).toMatchObject({ query: { sinceMs: Date.parse('2026-01-31T00:00:00Z') } });
    expect(q('key --since')).toMatchObject({ ok: false });
    expect(q('key --since soon')).toMatchObject({ ok: false });
  });

  it('compares stream ids numerically', () => {
    expect(compareStreamIds('999-5', '1000-0')).toBe(-1);
    expect(compareStreamIds('1000-10', '1000-9')).toBe(1);
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
    expect(parseSince('2w', NOW)).toBe(NOW - 14 * 86_400_000);
  });
});

describe('audit export arguments', () => {
  it('accepts --since and --until, refuses anything else with the usage', () => {
    expect(parseArgs(['--since', '2026-01-01'], NOW)).toEqual({ sinceMs: Date.parse('2026-01-01T00:00:00Z'), untilMs: undefined });
    expect(parseArgs(['--since=1d', '--until', '2026-11-26'], NOW)).toEqual({ sinceMs: NOW - 86_400_000, untilMs: Date.parse('2026-11-26T00:00:00Z') });
    expect(parseArgs([], NOW)).toEqual({ sinceMs: 0, untilMs: undefined });
    expect(() => parseArgs(['--from', '2026-01-01'], NOW)).toThrow(/usage/);
    expect(() => parseArgs(['--since', 'nope'], NOW)).toThrow(/bad argument/);
  });
});
