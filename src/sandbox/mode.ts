import { isLoopbackUrl } from '../config';

/**
 * Does `npm start` run the bot for real, or the local sandbox? Decided once, from the environment
 * (with .env merged in), before anything else happens:
 *
 * - nothing of Slack and nothing of Harness is set: the sandbox (simulated Slack and Harness on
 *   127.0.0.1); HARNESS_API=firstgen alone picks the simulated generation (default NextGen);
 * - something of both is set: for real (loadConfig then names whatever is still missing);
 * - one side only: refused ("mixed"), naming what is set, so a half-filled .env never runs
 *   half real, half simulated.
 *
 * Variables of neither side (PORT, REDIS_URL, LOG_LEVEL, the tuning knobs) apply to both.
 */
export const SLACK_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'APPROVAL_CHANNEL_ID',
  'AUDIT_CHANNEL_ID',
  'APPROVER_USER_IDS',
  'APPROVER_USERGROUP_ID',
] as const;

export const HARNESS_VARIABLES = ['HARNESS_API_URL', 'HARNESS_ACCOUNT_ID', 'HARNESS_API_KEY', 'HARNESS_ORG_ID', 'HARNESS_PROJECT_ID', 'TOKEN_ENCRYPTION_KEY'] as const;

/** Passed to the sandboxed bot as they are: they tune it without pointing it anywhere. */
export const SANDBOX_PASS_THROUGH = [
  'LOG_LEVEL',
  'HARNESS_TIMEOUT_MS',
  'TOKEN_REVEAL_TTL',
  'MAX_TOKEN_DAYS',
  'USER_GROUP_CACHE_TTL_SECONDS',
  'RECONCILE_INTERVAL_MS',
  'AUDIT_CHECKPOINT_INTERVAL',
] as const;

export type Generation = 'nextgen' | 'firstgen';

export type Mode =
  | { kind: 'real' }
  | { kind: 'sandbox'; generation: Generation; port: number; redisUrl?: string }
  | { kind: 'mixed'; slack: string[]; harness: string[]; message: string }
  /** A sandbox was meant, but cannot run as configured. */
  | { kind: 'invalid'; problems: string[]; message: string };

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string) => (env[name] ?? '').trim();

export function decideMode(env: Env): Mode {
  const slack = SLACK_VARIABLES.filter((k) => value(env, k) !== '');
  const harness = HARNESS_VARIABLES.filter((k) => value(env, k) !== '');
  if (slack.length > 0 && harness.length > 0) return { kind: 'real' };
  if (slack.length > 0 || harness.length > 0) return mixed(slack, harness);

  const problems: string[] = [];
  if (value(env, 'NODE_ENV') === 'production') {
    problems.push('NODE_ENV=production, but no Slack or Harness variable is set: a production process never starts the sandbox. Configure the bot (README "Configuration")');
  }
  const api = value(env, 'HARNESS_API');
  if (api !== '' && api !== 'nextgen' && api !== 'firstgen') problems.push('HARNESS_API must be nextgen or firstgen (which Harness the sandbox simulates)');
  const portText = value(env, 'PORT') || '3000';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) problems.push('PORT must be a whole number from 0 to 65535 (where the sandbox page listens)');
  const redisUrl = value(env, 'REDIS_URL') || undefined;
  if (redisUrl !== undefined && !(/^rediss?:\/\//.test(redisUrl) && isLoopbackUrl(redisUrl))) {
    problems.push(
      "REDIS_URL must be a redis:// URL on this machine (127.0.0.1, ::1 or localhost) for the sandbox: it writes its requests and audit trail under the bot's own key names, which must never mix with a real bot's. Unset it to let the sandbox find or start a Redis",
    );
  }
  if (problems.length > 0) {
    return { kind: 'invalid', problems, message: `Cannot start the sandbox (no Slack or Harness variable is set, so \`npm start\` runs the local sandbox):\n${problems.map((p) => `  - ${p}`).join('\n')}` };
  }
  return { kind: 'sandbox', generation: api === 'firstgen' ? 'firstgen' : 'nextgen', port, ...(redisUrl ? { redisUrl } : {}) };
}

function mixed(slack: string[], harness: string[]): Mode {
  const [set, setSide, unsetSide] = slack.length > 0 ? [slack, 'Slack', 'Harness'] : [harness, 'Harness', 'Slack'];
  const needed = slack.length > 0 ? 'HARNESS_ACCOUNT_ID, HARNESS_API_KEY (and HARNESS_API_URL on a self-managed Harness)' : 'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, APPROVAL_CHANNEL_ID, APPROVER_USER_IDS';
  const message = [
    `Refusing to start: ${setSide} is configured (${set.join(', ')}) but ${unsetSide} is not.`,
    'The bot runs either for real (Slack and Harness both configured) or as the local sandbox (neither), never half and half.',
    `  - to run for real, also set ${needed}: README "Configuration";`,
    `  - to run the sandbox, unset ${set.join(', ')} (in the environment and in .env).`,
  ].join('\n');
  return { kind: 'mixed', slack, harness, message };
}

/** The environment the sandbox keeps from the real one: only the tuning knobs. */
export function passThrough(env: Env): Record<string, string> {
  return Object.fromEntries(SANDBOX_PASS_THROUGH.filter((k) => value(env, k) !== '').map((k) => [k, value(env, k)]));
}

/** The variables whose value is a URL somewhere other than this machine: the sandbox configures none. */
export function nonLoopbackUrls(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([, v]) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim()) && !isLoopbackUrl(v))
    .map(([k]) => k);
}
