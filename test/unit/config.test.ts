import { ConfigError, loadConfig, secretsOf } from '../../src/config';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-1-secret-token',
  SLACK_SIGNING_SECRET: 'sign-secret-value',
  HARNESS_ACCOUNT_ID: 'acct123',
  HARNESS_API_KEY: 'harness-key-value',
  APPROVER_USER_IDS: 'U01, U02',
  APPROVAL_CHANNEL_ID: 'C0APPROVE',
};

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      port: 3000,
      redisUrl: 'redis://127.0.0.1:6379',
      auditStreamKey: 'apikey:audit',
      approvers: { userIds: ['U01', 'U02'] },
      harness: { apiUrl: 'https://app.harness.io/gateway/api/graphql', timeoutMs: 10000, accountId: 'acct123' },
      slack: { apiUrl: 'https://slack.com/api/' },
      logLevel: 'info',
      reconcileIntervalMs: 15000,
    });
    expect(c.auditChannelId).toBeUndefined();
    expect(c.slack.appToken).toBeUndefined();
  });

  it('lists every problem at once, by variable name', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-user-token', PORT: 'eighty', HARNESS_TIMEOUT_MS: '5' });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'SLACK_SIGNING_SECRET',
        'PORT',
        'HARNESS_ACCOUNT_ID',
        'HARNESS_API_KEY',
        'HARNESS_TIMEOUT_MS',
        'APPROVER_USER_IDS',
        'APPROVAL_CHANNEL_ID',
      ]),
    );
    expect(problems.find((p) => p.startsWith('PORT'))).toBe('PORT must be a whole number');
  });

  it('never echoes a value, secret or not', () => {
    const err = (() => {
      try {
        loadConfig({ ...valid, SLACK_BOT_TOKEN: 'xoxp-SUPERSECRET', SLACK_APP_TOKEN: 'bad-SUPERSECRET2', REDIS_URL: 'http://SECRETHOST' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.message).toMatch(/SLACK_BOT_TOKEN must be a bot token/);
    expect(err.message).toMatch(/SLACK_APP_TOKEN must be an app-level token/);
    expect(err.message).not.toMatch(/SUPERSECRET|SECRETHOST/);
  });

  it('needs no signing secret in Socket Mode', () => {
    const c = loadConfig({ ...valid, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1-abc' });
    expect(c.slack.appToken).toBe('xapp-1-abc');
    expect(c.slack.signingSecret).toBeUndefined();
  });

  it('accepts a user group instead of a list of approvers, and treats empty as unset', () => {
    const c = loadConfig({ ...valid, APPROVER_USER_IDS: '', APPROVER_USERGROUP_ID: 'S0ADMINS', AUDIT_CHANNEL_ID: '' });
    expect(c.approvers).toEqual({ userIds: [], userGroupId: 'S0ADMINS' });
    expect(c.auditChannelId).toBeUndefined();
  });

  it('rejects malformed ids', () => {
    expect(problemsOf({ ...valid, APPROVER_USER_IDS: 'U01,alice' })).toEqual([
      'APPROVER_USER_IDS must be a comma-separated list of Slack user ids (U…)',
    ]);
    expect(problemsOf({ ...valid, APPROVAL_CHANNEL_ID: '#approvals' })).toEqual(['APPROVAL_CHANNEL_ID must be a Slack channel id (C…)']);
  });

  it('normalises the Slack API URL and collects every secret for the log scrubber', () => {
    const c = loadConfig({ ...valid, SLACK_API_URL: 'http://127.0.0.1:9/api', REDIS_URL: 'redis://:redis-pass-word@127.0.0.1:6379' });
    expect(c.slack.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(secretsOf(c).sort()).toEqual(['harness-key-value', 'redis-pass-word', 'sign-secret-value', 'xoxb-1-secret-token']);
  });
});

describe('sandbox bot tokens', () => {
  const sandboxToken = { ...valid, SLACK_BOT_TOKEN: 'xoxb-sandbox-0123456789abcdef' };
  const refusal = expect.stringMatching(/^SLACK_BOT_TOKEN is a sandbox token \(xoxb-sandbox-…\): it is accepted only with SLACK_API_URL on this machine/);

  it('are refused with Slack itself, the default API URL included', () => {
    expect(problemsOf(sandboxToken)).toEqual([refusal]);
    for (const url of ['https://slack.com/api/', 'https://slack-gov.com/api/', 'http://10.0.0.1:3000/api/', 'http://127.0.0.1.example.com/api/', 'http://localhost.example.com/api/']) {
      expect(problemsOf({ ...sandboxToken, SLACK_API_URL: url })).toEqual([refusal]);
    }
  });

  it('are accepted with a loopback SLACK_API_URL (the simulated Slack)', () => {
    for (const url of ['http://127.0.0.1:3000/api/', 'http://127.0.0.2:80/api', 'http://localhost:3000/api/', 'http://[::1]:3000/api/']) {
      expect(problemsOf({ ...sandboxToken, SLACK_API_URL: url })).toEqual([]);
    }
  });

  it('leave real tokens alone, wherever the API is', () => {
    expect(problemsOf({ ...valid, SLACK_API_URL: 'http://127.0.0.1:3000/api/' })).toEqual([]);
    expect(problemsOf({ ...valid, SLACK_BOT_TOKEN: 'xoxb-sandboxed-but-not-the-prefix' })).toEqual([]);
  });
});

describe('Harness generation and the NextGen variables', () => {
  const key = 'ab'.repeat(32);

  it('keeps an existing FirstGen configuration working with no new variable', () => {
    expect(loadConfig(valid).harness).toMatchObject({ generation: 'firstgen', apiUrl: 'https://app.harness.io/gateway/api/graphql', rateLimitPerMinute: 25 });
    expect(loadConfig({ ...valid, HARNESS_API_URL: 'https://harness.example.com/api/graphql' }).harness.generation).toBe('firstgen');
  });

  it('a new install (NextGen variables, or HARNESS_API=nextgen) is NextGen with its defaults', () => {
    const c = loadConfig({ ...valid, TOKEN_ENCRYPTION_KEY: key });
    expect(c.harness).toMatchObject({ generation: 'nextgen', apiUrl: 'https://app.harness.io/gateway', rateLimitPerMinute: 300 });
    expect(c.tokens).toMatchObject({ revealTtlMs: 15 * 60_000, maxDays: 90 });
    expect(c.tokens.encryptionKey?.toString('hex')).toBe(key);
    expect(loadConfig({ ...valid, HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: Buffer.from(key, 'hex').toString('base64') }).tokens.encryptionKey?.length).toBe(32);
  });

  it('names what NextGen needs and what is wrong, never echoing a value', () => {
    expect(problemsOf({ ...valid, HARNESS_API: 'nextgen' })).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY is required with Harness NextGen/)]);
    const problems = problemsOf({ ...valid, HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: 'short-secret', TOKEN_REVEAL_TTL: '15 minutes', MAX_TOKEN_DAYS: '0', HARNESS_ORG_ID: '9bad' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['HARNESS_ORG_ID', 'TOKEN_ENCRYPTION_KEY', 'TOKEN_REVEAL_TTL', 'MAX_TOKEN_DAYS']);
    expect(problems.join('\n')).not.toContain('short-secret');
    expect(problemsOf({ ...valid, HARNESS_API: 'firstgen', HARNESS_ORG_ID: 'o1' })).toEqual([expect.stringMatching(/apply to Harness NextGen only/)]);
    expect(problemsOf({ ...valid, HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: key, HARNESS_PROJECT_ID: 'p1' })).toEqual([expect.stringMatching(/^HARNESS_PROJECT_ID needs HARNESS_ORG_ID/)]);
  });

  it('reads TOKEN_REVEAL_TTL as a duration within bounds, and HARNESS_RATE_LIMIT_PER_MINUTE', () => {
    const c = loadConfig({ ...valid, HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: key, TOKEN_REVEAL_TTL: '90s', HARNESS_RATE_LIMIT_PER_MINUTE: '120' });
    expect(c.tokens.revealTtlMs).toBe(90_000);
    expect(c.harness.rateLimitPerMinute).toBe(120);
    expect(problemsOf({ ...valid, HARNESS_API: 'nextgen', TOKEN_ENCRYPTION_KEY: key, TOKEN_REVEAL_TTL: '10s' })).toEqual(['TOKEN_REVEAL_TTL must be at least 30s']);
  });

  it('scrubs the sealing key from logs in every spelling the variable accepts, whichever was given', () => {
    const bytes = Buffer.from(key, 'hex');
    const b64 = bytes.toString('base64');
    const given = [key, key.toUpperCase(), b64, b64.replace(/=+$/, ''), bytes.toString('base64url'), `${bytes.toString('base64url')}=`];
    for (const spelling of given) {
      expect(loadConfig({ ...valid, TOKEN_ENCRYPTION_KEY: spelling }).tokens.encryptionKey).toEqual(bytes);
      expect(secretsOf(loadConfig({ ...valid, TOKEN_ENCRYPTION_KEY: spelling }))).toEqual(expect.arrayContaining(given));
    }
  });
});
