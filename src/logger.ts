// Types only: the executor thread loads this file and must not load Bolt (and Express) for it.
import type { LogLevel, Logger } from '@slack/bolt';

/**
 * JSON-lines logger shared by Bolt and our own code. Every line passes through `scrub`, which
 * replaces each configured secret with [REDACTED]: a token that ends up in an error message from
 * a library still never reaches the log.
 */
export interface AppLogger extends Logger {
  child(fields: Record<string, unknown>): AppLogger;
}

const ORDER: Record<`${LogLevel}`, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of sorted) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    return out;
  };
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const extra = value as Error & { code?: unknown; cause?: unknown };
    return { name: value.name, message: value.message, code: extra.code, stack: value.stack, cause: extra.cause ? serialise(extra.cause) : undefined };
  }
  return value;
}

export function createLogger(options: {
  level: `${LogLevel}`;
  secrets: readonly string[];
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}): AppLogger {
  const scrub = createScrubber(options.secrets);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let level = options.level as LogLevel;
  let name = 'apikey-bot';
  const base = options.fields ?? {};

  const emit = (lvl: `${LogLevel}`, args: unknown[]) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const fields: Record<string, unknown> = {};
    const words: string[] = [];
    for (const arg of args) {
      if (typeof arg === 'string') words.push(arg);
      else if (arg instanceof Error) fields.err = serialise(arg);
      else if (arg && typeof arg === 'object') Object.assign(fields, arg);
      else words.push(String(arg));
    }
    let line: string;
    try {
      line = JSON.stringify({ at: new Date().toISOString(), level: lvl, name, msg: words.join(' '), ...base, ...fields }, (_k, v: unknown) =>
        v instanceof Error ? serialise(v) : v,
      );
    } catch {
      line = JSON.stringify({ at: new Date().toISOString(), level: lvl, name, msg: words.join(' '), note: 'unserialisable fields dropped' });
    }
    write(scrub(line));
  };

  const logger: AppLogger = {
    debug: (...a: unknown[]) => emit('debug', a),
    info: (...a: unknown[]) => emit('info', a),
    warn: (...a: unknown[]) => emit('warn', a),
    error: (...a: unknown[]) => emit('error', a),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
    child: (fields) => createLogger({ ...options, level, write, fields: { ...base, ...fields } }),
  };
  return logger;
}
