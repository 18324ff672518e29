import { z } from 'zod';
import { DURATION, SANDBOX_TOKEN_PREFIX, durationMs, harnessGeneration, isLoopbackUrl, NEXTGEN_DEFAULT_URL, FIRSTGEN_DEFAULT_URL, parseEncryptionKey } from './config-values';

export { durationMs, harnessGeneration, isLoopbackUrl, parseEncryptionKey } from './config-values';

/**
 * The only place that reads the environment. `loadConfig(env)` is called once by main.ts;
 * tests call it with their own object. Every problem is reported at once, by variable name,
 * and no value is ever echoed back (several of them are secrets).
 */

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const HARNESS_ID = /^[a-zA-Z_][0-9a-zA-Z_]{0,127}$/;
/** Unset and empty mean the same thing: `FOO=` in an env file must not count as a value. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const integer = (min: number, max: number, fallback: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
  ).transform((v) => v ?? fallback);

const url = (fallback: string) =>
  optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })).transform((v) => v ?? fallback);

const schema = z
  .object({
    SLACK_BOT_TOKEN: z.string({ error: 'is required' }).regex(/^xoxb-/, 'must be a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: optional(z.string()),
    SLACK_APP_TOKEN: optional(z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-')),
    SLACK_API_URL: url('https://slack.com/api/'),
    PORT: integer(0, 65535, 3000),
    HARNESS_API: optional(z.enum(['nextgen', 'firstgen'], { error: 'must be nextgen or firstgen' })),
    HARNESS_API_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    HARNESS_ORG_ID: optional(z.string().regex(HARNESS_ID, 'must be a Harness organization identifier')),
    HARNESS_PROJECT_ID: optional(z.string().regex(HARNESS_ID, 'must be a Harness project identifier')),
    TOKEN_ENCRYPTION_KEY: optional(z.string().refine((v) => parseEncryptionKey(v) !== undefined, 'must be 32 random bytes, as 64 hex characters or base64 (openssl rand -hex 32)')),
    TOKEN_REVEAL_TTL: optional(z.string().regex(DURATION, 'must be a duration such as 90s, 15m or 24h'))
      .transform((v) => (v === undefined ? 15 * 60_000 : durationMs(v)))
      .pipe(z.number().min(30_000, 'must be at least 30s').max(7 * 86_400_000, 'must be at most 7d')),
    MAX_TOKEN_DAYS: integer(1, 3650, 90),
    HARNESS_RATE_LIMIT_PER_MINUTE: optional(z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1, 'must be at least 1').max(100_000, 'must be at most 100000'))),
    HARNESS_ACCOUNT_ID: z.string({ error: 'is required' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Harness account id'),
    HARNESS_API_KEY: z.string({ error: 'is required' }).min(1, 'is required'),
    HARNESS_TIMEOUT_MS: integer(100, 120_000, 10_000),
    REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')).transform(
      (v) => v ?? 'redis://127.0.0.1:6379',
    ),
    APPROVER_USER_IDS: optional(z.string())
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(SLACK_USER_ID, 'must be a comma-separated list of Slack user ids (U…)'))),
    APPROVER_USERGROUP_ID: optional(z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id (S…)')),
    APPROVAL_CHANNEL_ID: z.string({ error: 'is required' }).regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id (C…)'),
    AUDIT_CHANNEL_ID: optional(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id (C…)')),
    AUDIT_STREAM_KEY: optional(z.string().regex(/^[\w:{}.-]{1,200}$/, 'must be a Redis key name')).transform(
      (v) => v ?? 'apikey:audit',
    ),
    /** Signs the audit hash chain and its checkpoints (HMAC-SHA256); without it the chain is plain SHA-256. */
    AUDIT_HMAC_KEY: optional(z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)')),
    AUDIT_CHECKPOINT_INTERVAL: optional(z.string().regex(DURATION, 'must be a duration such as 15m, 1h or 1d'))
      .transform((v) => (v === undefined ? 3_600_000 : durationMs(v)))
      .pipe(z.number().min(1000, 'must be at least 1s').max(7 * 86_400_000, 'must be at most 7d')),
    USER_GROUP_CACHE_TTL_SECONDS: integer(10, 86_400, 300),
    RECONCILE_INTERVAL_MS: integer(100, 600_000, 15_000),
    REQUEST_EXPIRY: optional(z.string().regex(DURATION, 'must be a duration such as 72h or 7d'))
      .transform((v) => (v === undefined ? 7 * 86_400_000 : durationMs(v)))
      .pipe(z.number().min(3_600_000, 'must be at least 1h')),
    LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' })).transform(
      (v) => v ?? 'info',
    ),
  });

export interface Config {
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
  };
  port: number;
  harness: {
    generation: 'nextgen' | 'firstgen';
    apiUrl: string;
    accountId: string;
    apiKey: string;
    timeoutMs: number;
    /** Calls per minute all replicas together may make (Harness counts per account). */
    rateLimitPerMinute: number;
    /** NextGen scope; absent = account level. */
    orgId?: string;
    projectId?: string;
  };
  /** NextGen token hand-over: the sealing key (required on NextGen), how long a value waits, the longest validity. */
  tokens: { encryptionKey?: Buffer; revealTtlMs: number; maxDays: number };
  redisUrl: string;
  approvers: { userIds: readonly string[]; userGroupId?: string };
  approvalChannelId: string;
  auditChannelId?: string;
  auditStreamKey: string;
  /** The audit hash chain's HMAC key (README "Audit trail integrity"); absent = plain SHA-256. */
  auditHmacKey?: string;
  /** How often one replica records an audit checkpoint. */
  auditCheckpointIntervalMs: number;
  userGroupCacheTtlSeconds: number;
  /** How often every replica looks for work a crashed replica left (approved requests, owed messages). */
  reconcileIntervalMs: number;
  /** A pending request nobody decides on within this long expires. */
  requestExpiryMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Rules across variables, checked on the raw values so they are reported with all the others. */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const set = (k: string) => (env[k] ?? '').trim() !== '';
  const problems: string[] = [];
  if (!set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN (Socket Mode) is set');
  }
  if (harnessGeneration(env) === 'nextgen' && !set('TOKEN_ENCRYPTION_KEY')) {
    problems.push('TOKEN_ENCRYPTION_KEY is required with Harness NextGen (it seals each new token until its one reveal): openssl rand -hex 32');
  }
  if (set('HARNESS_PROJECT_ID') && !set('HARNESS_ORG_ID')) {
    problems.push('HARNESS_PROJECT_ID needs HARNESS_ORG_ID too: a Harness project lives in an organization');
  }
  if (harnessGeneration(env) === 'firstgen' && (set('HARNESS_ORG_ID') || set('HARNESS_PROJECT_ID'))) {
    problems.push('HARNESS_ORG_ID and HARNESS_PROJECT_ID apply to Harness NextGen only: set HARNESS_API=nextgen or remove them');
  }
  if ((env.SLACK_BOT_TOKEN ?? '').trim().startsWith(SANDBOX_TOKEN_PREFIX) && !isLoopbackUrl(env.SLACK_API_URL)) {
    problems.push(`SLACK_BOT_TOKEN is a sandbox token (${SANDBOX_TOKEN_PREFIX}…): it is accepted only with SLACK_API_URL on this machine (the simulated Slack), never with Slack itself`);
  }
  if (!set('APPROVER_USER_IDS') && !set('APPROVER_USERGROUP_ID')) {
    problems.push('APPROVER_USER_IDS or APPROVER_USERGROUP_ID is required: no approver is configured');
  }
  return problems;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  // Only the variable name and the rule: the messages here never include the input value.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? '(environment)')} ${i.message}`)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const c = parsed.data;
  const generation = harnessGeneration(env);
  return {
    tokens: {
      encryptionKey: c.TOKEN_ENCRYPTION_KEY === undefined ? undefined : parseEncryptionKey(c.TOKEN_ENCRYPTION_KEY),
      revealTtlMs: c.TOKEN_REVEAL_TTL,
      maxDays: c.MAX_TOKEN_DAYS,
    },
    slack: {
      botToken: c.SLACK_BOT_TOKEN,
      signingSecret: c.SLACK_SIGNING_SECRET,
      appToken: c.SLACK_APP_TOKEN,
      apiUrl: c.SLACK_API_URL.endsWith('/') ? c.SLACK_API_URL : `${c.SLACK_API_URL}/`,
    },
    port: c.PORT,
    harness: {
      generation,
      apiUrl: c.HARNESS_API_URL ?? (generation === 'nextgen' ? NEXTGEN_DEFAULT_URL : FIRSTGEN_DEFAULT_URL),
      orgId: c.HARNESS_ORG_ID,
      projectId: c.HARNESS_PROJECT_ID,
      // Under Harness's own limits: 30/min FirstGen GraphQL, 400/min per key NextGen (FACTS).
      rateLimitPerMinute: c.HARNESS_RATE_LIMIT_PER_MINUTE ?? (generation === 'nextgen' ? 300 : 25),
      accountId: c.HARNESS_ACCOUNT_ID,
      apiKey: c.HARNESS_API_KEY,
      timeoutMs: c.HARNESS_TIMEOUT_MS,
    },
    redisUrl: c.REDIS_URL,
    approvers: { userIds: c.APPROVER_USER_IDS, userGroupId: c.APPROVER_USERGROUP_ID },
    approvalChannelId: c.APPROVAL_CHANNEL_ID,
    auditChannelId: c.AUDIT_CHANNEL_ID,
    auditStreamKey: c.AUDIT_STREAM_KEY,
    auditHmacKey: c.AUDIT_HMAC_KEY,
    auditCheckpointIntervalMs: c.AUDIT_CHECKPOINT_INTERVAL,
    userGroupCacheTtlSeconds: c.USER_GROUP_CACHE_TTL_SECONDS,
    reconcileIntervalMs: c.RECONCILE_INTERVAL_MS,
    requestExpiryMs: c.REQUEST_EXPIRY,
    logLevel: c.LOG_LEVEL,
  };
}

/** Every secret value in the config: the logger scrubs these from anything it writes. */
export function secretsOf(config: Config): string[] {
  let redisPassword: string | undefined;
  try {
    redisPassword = decodeURIComponent(new URL(config.redisUrl).password) || undefined;
  } catch {
    redisPassword = undefined;
  }
  const sealingKey = config.tokens.encryptionKey;
  return [
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.harness.apiKey,
    redisPassword,
    config.auditHmacKey,
    ...(sealingKey ? spellingsOf(sealingKey) : []),
  ].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}

/** Every way TOKEN_ENCRYPTION_KEY may be written (parseEncryptionKey takes them all): the scrubber matches text. */
function spellingsOf(key: Buffer): string[] {
  const hex = key.toString('hex');
  const b64 = key.toString('base64');
  const url = key.toString('base64url');
  return [...new Set([hex, hex.toUpperCase(), b64, b64.replace(/=+$/, ''), url, url.padEnd(b64.length, '=')])];
}

/** The audit CLIs (export, verify) need only where the stream is, and the chain's key. */
export function loadExportConfig(env: Record<string, string | undefined>): { redisUrl: string; auditStreamKey: string; auditHmacKey?: string } {
  const parsed = schema.pick({ REDIS_URL: true, AUDIT_STREAM_KEY: true, AUDIT_HMAC_KEY: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`));
  return { redisUrl: parsed.data.REDIS_URL, auditStreamKey: parsed.data.AUDIT_STREAM_KEY, auditHmacKey: parsed.data.AUDIT_HMAC_KEY };
}
