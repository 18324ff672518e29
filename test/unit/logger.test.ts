import type { LogLevel } from '@slack/bolt';
import { createLogger, createScrubber, onceEvery } from '../../src/logger';

type Line = Record<string, unknown> & { level: string; time: string; msg: string; name: string };

function capture(level: 'debug' | 'info' | 'warn' | 'error', secrets: string[] = []) {
  const lines: string[] = [];
  const log = createLogger({ level, secrets, write: (l) => lines.push(l) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Line) };
}

describe('logger', () => {
  it('scrubs every configured secret from messages, fields and errors', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: ['xoxb-abc-SECRET', 'hk-SECRET'], write: (l) => lines.push(l) });
    log.error('token xoxb-abc-SECRET leaked', new Error('bad key hk-SECRET'), { header: 'x-api-key: hk-SECRET' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('SECRET');
    expect(lines[0]).toContain('[REDACTED]');
    const parsed = JSON.parse(lines[0]!) as { level: string; msg: string; err: { message: string } };
    expect(parsed.level).toBe('error');
    expect(parsed.err.message).toBe('bad key [REDACTED]');
  });

  it('filters by level and keeps child fields', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', secrets: [], write: (l) => lines.push(l) }).child({ requestId: 'r1' });
    log.info('hidden');
    log.warn('shown');
    expect(lines.map((l) => JSON.parse(l) as { msg: string; requestId: string })).toEqual([expect.objectContaining({ msg: 'shown', requestId: 'r1' })]);
  });

  it("writes one JSON line per call with pino's keys and the level as a label", () => {
    const { log, lines, parsed } = capture('debug');
    log.debug('a', 'b', 3, { n: 1 });
    log.info('two');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toContain('\n');
    const [first] = parsed();
    expect(first).toMatchObject({ level: 'debug', name: 'apikey-bot', msg: 'a b 3', n: 1 });
    expect(new Date(first!.time).toISOString()).toBe(first!.time);
    expect(Object.keys(first!).slice(0, 2)).toEqual(['level', 'time']);
  });

  it('maps strings, an Error and objects to msg, err and fields', () => {
    const { log, parsed } = capture('debug');
    const err = Object.assign(new Error('upstream refused', { cause: new Error('socket hang up') }), { code: 'ECONNRESET' });
    log.warn('harness call failed', err, { requestId: 'r9' });
    log.error(new Error('only an error'));
    log.info({ nested: new Error('inside a field') });
    const [a, b, c] = parsed();
    expect(a).toMatchObject({
      msg: 'harness call failed',
      requestId: 'r9',
      err: { type: 'Error', message: 'upstream refused', code: 'ECONNRESET', cause: { type: 'Error', message: 'socket hang up' } },
    });
    expect((a!.err as { stack: string }).stack).toContain('upstream refused');
    expect(b).toMatchObject({ msg: 'only an error', err: { message: 'only an error' } });
    expect(c).toMatchObject({ msg: '', nested: { type: 'Error', message: 'inside a field' } });
  });

  it('scrubs secrets from the error message, the cause chain, child fields and JSON-escaped forms', () => {
    const quoted = 'pa"ss\\word-9';
    const { log, lines, parsed } = capture('debug', ['xoxb-1-SECRET', 'hk-SECRET', quoted, 'abc']);
    const cause = new Error('401 for key hk-SECRET');
    log.child({ token: 'xoxb-1-SECRET' }).error('call failed', new Error('wrapped', { cause }));
    log.info(`redis password ${quoted}`, { url: `redis://:${quoted}@h`, body: JSON.stringify({ p: quoted }) });
    log.info('short secrets are ignored: abc');
    const all = lines.join('\n');
    expect(all).not.toContain('SECRET');
    expect(all).not.toContain('ss\\\\word');
    expect(all).not.toContain('word-9');
    const [a, b, c] = parsed();
    expect(a).toMatchObject({ token: '[REDACTED]', err: { message: 'wrapped', cause: { message: '401 for key [REDACTED]' } } });
    expect(b).toMatchObject({ msg: 'redis password [REDACTED]', url: 'redis://:[REDACTED]@h', body: '{"p":"[REDACTED]"}' });
    expect(c!.msg).toBe('short secrets are ignored: abc');
  });

  it('createScrubber replaces the longest secret first', () => {
    const scrub = createScrubber(['hk-SECRET', 'hk-SECRET-LONGER', '']);
    expect(scrub('a hk-SECRET-LONGER b hk-SECRET')).toBe('a [REDACTED] b [REDACTED]');
  });

  it('setLevel, getLevel and setName work, and children keep the name and level they were made with', () => {
    const { log, parsed } = capture('info');
    expect(log.getLevel()).toBe('info');
    log.debug('hidden');
    log.setLevel('debug' as LogLevel);
    expect(log.getLevel()).toBe('debug');
    log.debug('now shown');
    log.setName('bolt-app');
    const child = log.child({ requestId: 'r2' });
    log.setLevel('error' as LogLevel);
    log.info('hidden again');
    child.info('from child');
    expect(parsed()).toEqual([
      expect.objectContaining({ msg: 'now shown', level: 'debug', name: 'apikey-bot' }),
      expect.objectContaining({ msg: 'from child', level: 'info', name: 'bolt-app', requestId: 'r2' }),
    ]);
  });

  it('keeps the line when a field cannot be serialised', () => {
    const { log, lines, parsed } = capture('info');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const hostile = {
      get boom(): string {
        throw new Error('getter throws');
      },
    };
    expect(() => log.info('cycle', { cyclic, big: 10n })).not.toThrow();
    expect(() => log.info('getter', { hostile })).not.toThrow();
    expect(() => log.child({ cyclic }).info('child with a cycle')).not.toThrow();
    expect(() => log.info('toJSON', { bad: { toJSON: () => { throw new Error('nope'); } } })).not.toThrow();
    expect(lines).toHaveLength(4);
    const [a, b, c, d] = parsed();
    expect(a).toMatchObject({ msg: 'cycle', cyclic: { a: 1, self: '[Circular]' }, big: 10 });
    expect(b!.msg).toBe('getter');
    expect(c!.msg).toBe('child with a cycle');
    expect(d!.msg).toBe('toJSON');
  });
});

describe('onceEvery', () => {
  it('lets one call through per interval and reports how many were suppressed', () => {
    let t = 1_000;
    const gate = onceEvery(30_000, () => t);
    const reported: number[] = [];
    const emit = (n: number) => reported.push(n);
    expect(gate(emit)).toBe(true);
    for (let i = 0; i < 5; i++) {
      t += 1_000;
      expect(gate(emit)).toBe(false);
    }
    t = 31_000;
    expect(gate(emit)).toBe(true);
    t = 31_001;
    expect(gate(emit)).toBe(false);
    t = 100_000;
    expect(gate(emit)).toBe(true);
    expect(reported).toEqual([0, 5, 1]);
  });

  it('drives a logger without flooding it', () => {
    const { log, parsed } = capture('info');
    let t = 0;
    const redisTrouble = onceEvery(10_000, () => t);
    for (let i = 0; i < 50; i++, t += 500) redisTrouble((suppressed) => log.warn('redis connection problem', new Error('ECONNREFUSED'), { suppressed }));
    expect(parsed().map((l) => l.suppressed)).toEqual([0, 19, 19]);
  });
});

describe('logger and Harness token values', () => {
  it('redacts any NextGen token value, configured as a secret or not', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', secrets: [], write: (l) => lines.push(l) });
    const value = 'sat.px7xd_BFRCi-pfWPYXVjvw.6571c0f2a9e3b14d2c8f0e77.Xq3LmP9aZr2Kd8TfWb1N';
    log.debug('http request body', { body: `view={"blocks":[{"text":"\`${value}\`"}]}` });
    log.info(`old format pat.6571c0f2a9e3b14d2c8f0e77.Xq3LmP9aZr2Kd8TfWb1N`);
    expect(lines.join('\n')).not.toMatch(/Xq3LmP9aZr2Kd8TfWb1N/);
    expect(lines[0]).toContain('[REDACTED]');
  });
});
