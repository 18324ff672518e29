import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * `cp .env.sample .env`, edit, `npm start`: the variables of `.env` (when the file exists) for
 * whatever the real environment does not set already; the real environment always wins. Returns
 * a new object: config.ts stays the only reader of the environment's meaning.
 */
export function withEnvFile(env: Record<string, string | undefined>, file = '.env'): Record<string, string | undefined> {
  if (!existsSync(file)) return env;
  const fromFile = parseEnv(readFileSync(file, 'utf8'));
  return { ...fromFile, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
}
