/**
 * Values config.ts reads the environment into: durations, the token sealing key, loopback URLs,
 * and which Harness generation a configuration means. Pure functions of strings.
 */
export const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `24h`, `2d` in milliseconds. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** TOKEN_ENCRYPTION_KEY: 32 bytes as 64 hex characters or as base64. */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  return buf.length === 32 ? buf : undefined;
}

/** Is this URL's host this machine (127.0.0.0/8, ::1, localhost)? False for anything unparsable. */
export function isLoopbackUrl(text: string | undefined): boolean {
  let host: string;
  try {
    host = new URL((text ?? '').trim()).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The Slack sandbox's bot tokens (src/simulators/slack/sandbox.ts): never valid against Slack. */
export const SANDBOX_TOKEN_PREFIX = 'xoxb-sandbox-';

export const NEXTGEN_DEFAULT_URL = 'https://app.harness.io/gateway';
export const FIRSTGEN_DEFAULT_URL = 'https://app.harness.io/gateway/api/graphql';

/**
 * Which Harness generation a configuration means. HARNESS_API says so when set. Otherwise a
 * HARNESS_API_URL ending in /graphql is FirstGen, and so is a configuration that sets none of the
 * NextGen variables (an install from before NextGen support, which must keep working with no new
 * variable); anything else, such as a new install following the README, is NextGen.
 */
export function harnessGeneration(env: Record<string, string | undefined>): 'nextgen' | 'firstgen' {
  const set = (k: string) => (env[k] ?? '').trim() !== '';
  const api = (env.HARNESS_API ?? '').trim();
  if (api === 'nextgen' || api === 'firstgen') return api;
  const url = (env.HARNESS_API_URL ?? '').trim();
  if (/\/graphql\/?(\?.*)?$/.test(url)) return 'firstgen';
  const nextGenVariables = ['HARNESS_API_URL', 'HARNESS_ORG_ID', 'HARNESS_PROJECT_ID', 'TOKEN_ENCRYPTION_KEY', 'TOKEN_REVEAL_TTL', 'MAX_TOKEN_DAYS'];
  return nextGenVariables.some(set) ? 'nextgen' : 'firstgen';
}

