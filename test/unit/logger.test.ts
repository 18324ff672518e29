import { createLogger } from '../../src/logger';

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
});
