import { decideMode, HARNESS_VARIABLES, nonLoopbackUrls, passThrough, SLACK_VARIABLES } from '../../../src/sandbox/mode';

/** `npm start` with no Slack and no Harness configuration runs the sandbox; with both, for real; never half and half. */
describe('decideMode', () => {
  it('runs the sandbox when nothing of Slack or Harness is set, NextGen by default, on PORT (3000)', () => {
    expect(decideMode({})).toEqual({ kind: 'sandbox', generation: 'nextgen', port: 3000 });
    expect(decideMode({ PORT: '3100', LOG_LEVEL: 'debug', HOME: '/home/x', PATH: '/bin' })).toEqual({ kind: 'sandbox', generation: 'nextgen', port: 3100 });
    // Empty counts as unset, as everywhere in the configuration (`FOO=` in .env).
    expect(decideMode({ SLACK_BOT_TOKEN: '', HARNESS_API_KEY: '  ', REDIS_URL: '' })).toMatchObject({ kind: 'sandbox' });
  });

  it('HARNESS_API alone picks the simulated generation', () => {
    expect(decideMode({ HARNESS_API: 'firstgen' })).toMatchObject({ kind: 'sandbox', generation: 'firstgen' });
    expect(decideMode({ HARNESS_API: 'nextgen' })).toMatchObject({ kind: 'sandbox', generation: 'nextgen' });
  });

  it('takes a loopback REDIS_URL, and refuses any other Redis', () => {
    expect(decideMode({ REDIS_URL: 'redis://127.0.0.1:6390/2' })).toMatchObject({ kind: 'sandbox', redisUrl: 'redis://127.0.0.1:6390/2' });
    expect(decideMode({ REDIS_URL: 'redis://localhost:6379' })).toMatchObject({ kind: 'sandbox' });
    for (const url of ['redis://10.0.0.5:6379', 'rediss://cache.example.com:6380', 'redis://127.0.0.1.example.com', 'http://127.0.0.1:6379']) {
      const mode = decideMode({ REDIS_URL: url });
      expect(mode).toMatchObject({ kind: 'invalid', problems: [expect.stringMatching(/^REDIS_URL must be a redis:\/\/ URL on this machine/)] });
      if (mode.kind === 'invalid') expect(mode.message).not.toContain(url); // values are never echoed
    }
  });

  it('reports every problem of a sandbox at once', () => {
    const mode = decideMode({ HARNESS_API: 'ng', PORT: '70000' });
    expect(mode.kind).toBe('invalid');
    if (mode.kind !== 'invalid') return;
    expect(mode.problems.map((p) => p.split(' ')[0])).toEqual(['HARNESS_API', 'PORT']);
    expect(mode.message).toMatch(/Cannot start the sandbox/);
  });

  it('never starts a sandbox under NODE_ENV=production', () => {
    expect(decideMode({ NODE_ENV: 'production' })).toMatchObject({ kind: 'invalid', problems: [expect.stringMatching(/^NODE_ENV=production/)] });
  });

  it('runs for real as soon as both sides have something, whatever is still missing (loadConfig names it)', () => {
    expect(decideMode({ SLACK_BOT_TOKEN: 'xoxb-1', HARNESS_API_KEY: 'k' })).toEqual({ kind: 'real' });
    expect(decideMode({ APPROVER_USER_IDS: 'U1', TOKEN_ENCRYPTION_KEY: 'x', HARNESS_API: 'firstgen' })).toEqual({ kind: 'real' });
    // Not even NODE_ENV or a remote Redis matter then: those are the real bot's business.
    expect(decideMode({ SLACK_SIGNING_SECRET: 's', HARNESS_ACCOUNT_ID: 'a', NODE_ENV: 'production', REDIS_URL: 'redis://db:6379' })).toEqual({ kind: 'real' });
  });

  it('refuses one side without the other, naming the variables that are set and what is missing', () => {
    const slack = decideMode({ SLACK_BOT_TOKEN: 'xoxb-SECRET', APPROVAL_CHANNEL_ID: 'C1', PORT: '3000' });
    expect(slack).toMatchObject({ kind: 'mixed', slack: ['SLACK_BOT_TOKEN', 'APPROVAL_CHANNEL_ID'], harness: [] });
    if (slack.kind !== 'mixed') return;
    expect(slack.message).toContain('Slack is configured (SLACK_BOT_TOKEN, APPROVAL_CHANNEL_ID) but Harness is not');
    expect(slack.message).toContain('HARNESS_ACCOUNT_ID, HARNESS_API_KEY');
    expect(slack.message).toContain('unset SLACK_BOT_TOKEN, APPROVAL_CHANNEL_ID');
    expect(slack.message).not.toContain('SECRET');

    const harness = decideMode({ HARNESS_API_URL: 'https://harness.example.com/gateway', HARNESS_API: 'nextgen' });
    expect(harness).toMatchObject({ kind: 'mixed', slack: [], harness: ['HARNESS_API_URL'] });
    if (harness.kind === 'mixed') expect(harness.message).toContain('Harness is configured (HARNESS_API_URL) but Slack is not');
  });

  it('counts every Slack and Harness variable, each on its own, as configuration', () => {
    for (const name of SLACK_VARIABLES) expect(decideMode({ [name]: 'x' })).toMatchObject({ kind: 'mixed', slack: [name] });
    for (const name of HARNESS_VARIABLES) expect(decideMode({ [name]: 'x' })).toMatchObject({ kind: 'mixed', harness: [name] });
  });
});

describe('passThrough', () => {
  it('keeps only the tuning knobs from the real environment', () => {
    expect(passThrough({ LOG_LEVEL: 'info', TOKEN_REVEAL_TTL: '5m', SLACK_API_URL: 'https://slack.com/api/', REDIS_URL: 'redis://127.0.0.1', PATH: '/bin', MAX_TOKEN_DAYS: '' })).toEqual({
      LOG_LEVEL: 'info',
      TOKEN_REVEAL_TTL: '5m',
    });
  });
});

describe('nonLoopbackUrls', () => {
  it('names every variable holding a URL off this machine', () => {
    expect(
      nonLoopbackUrls({
        A: 'http://127.0.0.1:3000/api/',
        B: 'redis://localhost:6379/1',
        C: 'http://[::1]:9/gateway',
        D: 'https://slack.com/api/',
        E: 'https://app.harness.io/gateway',
        F: 'xoxb-sandbox-abc',
        G: 'redis://127.0.0.1.nip.io:6379',
      }),
    ).toEqual(['D', 'E', 'G']);
  });
});
