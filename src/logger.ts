import type { LogLevel, Logger } from '@slack/bolt';
import pino from 'pino';

/**
 * JSON-lines logger shared by Bolt and our own code, written by pino. One line per call:
 *
 *   {"level":"warn","time":"2026-05-01T12:00:00.000Z","pid":7,"hostname":"bot-1","name":"apikey-bot",
 *    "requestId":"r1","err":{"type":"Error","message":"…","stack":"…","code":"ECONNRESET"},"msg":"harness call failed"}
 *
 * Calling convention (Bolt's Logger: any mix of strings, objects and Errors): strings (and other
 * primitives) are joined with spaces into `msg`; an Error becomes `err` (pino's errWithCause
 * serializer: type, message, stack, own fields such as `code`, and the `cause` chain); plain
 * objects are merged in as fields (an Error value among them is serialised the same way).
 *
 * Every finished line passes through pino's `hooks.streamWrite`, which replaces each configured
 * secret (and its JSON-escaped forms) with [REDACTED]: a token that ends up in an error message
 * from a library still never reaches the log.
 *
 * Output: stdout through a *synchronous* pino destination (one write(2) per line, as
 * process.stdout already did for files and pipes on Linux). Nothing is buffered, so a line
 * logged just before `process.exit()` (main.ts on SIGTERM) or a crash is never lost.
 * If this is ever switched to `sync: false` for throughput, call `pino.final`/`destination.flushSync()`
 * before every `process.exit()`.
 */
export interface AppLogger extends Logger {
  child(fields: Record<string, unknown>): AppLogger;
}

type Level = `${LogLevel}`;
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];
const DEFAULT_NAME = 'apikey-bot';
const MIN_SECRET_LENGTH = 4;
const REDACTED = '[REDACTED]';

/** A string as it appears inside a JSON string literal. */
const jsonEscape = (s: string): string => JSON.stringify(s).slice(1, -1);

/**
 * Replaces every secret (at least 4 characters; longest first) with [REDACTED]. Also replaces the
 * forms a secret takes inside a JSON line: escaped once (a secret containing `"` or `\` written as
 * a string value) and twice (inside a JSON document that was itself logged as a string). The raw
 * form of such a secret cannot occur in a JSON line and is left out, so a replacement never cuts
 * an escape sequence in half.
 */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    const once = jsonEscape(secret);
    // Raw form only where JSON leaves the secret as is; pino's fast string path writes lone
    // surrogates unescaped, so those secrets keep their raw form too.
    if (once === secret || ![...secret].some((c) => c === '"' || c === '\\' || c < ' ')) forms.add(secret);
    forms.add(once);
    forms.add(jsonEscape(once));
  }
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of sorted) if (out.includes(form)) out = out.split(form).join(REDACTED);
    // Any Harness NextGen token value, configured or not: a new token's value passes through the
    // Slack client on its way into the reveal modal, and that client logs bodies at debug level.
    return out.includes('at.') ? out.replace(HARNESS_TOKEN, REDACTED) : out;
  };
}

/** `<pat|sat>.<account>.<tokenId>.<secret>`, and the older `<pat|sat>.<tokenId>.<secret>` (FACTS section 9). */
const HARNESS_TOKEN = /\b(?:pat|sat)\.(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9]+\.[A-Za-z0-9]{8,}/g;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function serialiseError(err: Error): unknown {
  const out = pino.stdSerializers.errWithCause(err) as { cause?: unknown };
  // errWithCause follows only Error causes; keep a non-Error cause (a string, a code) too.
  const cause = (err as { cause?: unknown }).cause;
  if (out.cause === undefined && cause !== undefined && !(cause instanceof Error)) out.cause = cause;
  return out;
}

/** Bolt's `(...args)` to pino's `(mergeObject, msg)`. */
function toPino(args: readonly unknown[]): { fields: Record<string, unknown>; msg: string } {
  const fields: Record<string, unknown> = {};
  const words: string[] = [];
  for (const arg of args) {
    if (typeof arg === 'string') words.push(arg);
    else if (arg instanceof Error) fields.err = arg;
    else if (isPlainObject(arg)) {
      for (const [k, v] of Object.entries(arg)) fields[k] = v instanceof Error && k !== 'err' ? serialiseError(v) : v;
    } else if (Array.isArray(arg)) words.push(safeJson(arg));
    else words.push(String(arg));
  }
  const err = fields.err;
  const msg = words.length > 0 ? words.join(' ') : err instanceof Error ? err.message : '';
  return { fields, msg };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '[unserialisable]';
  }
}

interface Sink {
  root: pino.Logger;
}

class PinoAppLogger implements AppLogger {
  private p: pino.Logger;

  constructor(
    private readonly sink: Sink,
    private name: string,
    private readonly fields: Record<string, unknown>,
    level: Level,
  ) {
    this.p = PinoAppLogger.build(sink, name, fields, level);
  }

  private static build(sink: Sink, name: string, fields: Record<string, unknown>, level: Level): pino.Logger {
    try {
      return sink.root.child({ name, ...fields }, { level });
    } catch {
      return sink.root.child({ name, note: 'unserialisable logger fields dropped' }, { level });
    }
  }

  private emit(level: Level, args: unknown[]): void {
    if (!this.p.isLevelEnabled(level)) return;
    let msg = '';
    try {
      const mapped = toPino(args);
      msg = mapped.msg;
      this.p[level](mapped.fields, msg);
    } catch {
      // A serializer, getter or toJSON threw: keep the line, drop the fields.
      try {
        this.p[level]({ note: 'unserialisable fields dropped' }, msg);
      } catch {
        // The destination itself failed; nothing left to write to.
      }
    }
  }

  debug(...args: unknown[]): void {
    this.emit('debug', args);
  }
  info(...args: unknown[]): void {
    this.emit('info', args);
  }
  warn(...args: unknown[]): void {
    this.emit('warn', args);
  }
  error(...args: unknown[]): void {
    this.emit('error', args);
  }

  setLevel(level: LogLevel): void {
    const l = String(level).toLowerCase() as Level;
    if (!LEVELS.includes(l)) throw new Error(`unknown log level: ${String(level)}`);
    this.p.level = l;
  }

  getLevel(): LogLevel {
    return this.p.level as LogLevel;
  }

  setName(name: string): void {
    this.name = name;
    this.p = PinoAppLogger.build(this.sink, name, this.fields, this.p.level as Level);
  }

  child(fields: Record<string, unknown>): AppLogger {
    return new PinoAppLogger(this.sink, this.name, { ...this.fields, ...fields }, this.p.level as Level);
  }
}

export function createLogger(options: {
  level: Level;
  secrets: readonly string[];
  /** Receives each finished (scrubbed) line without its trailing newline; default: stdout. */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}): AppLogger {
  const scrub = createScrubber(options.secrets);
  const write = options.write;
  const destination: pino.DestinationStream = write
    ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : pino.destination({ dest: 1, sync: true });
  const root = pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (err: unknown) => (err instanceof Error ? serialiseError(err) : err) },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
  return new PinoAppLogger({ root }, DEFAULT_NAME, options.fields ?? {}, options.level);
}

/**
 * Rate limit for a condition that repeats (a Redis outage fires 'error' on every reconnect):
 * `emit` runs at most once per `intervalMs`, and is told how many calls were suppressed since it
 * last ran. Returns whether `emit` ran. `now` is injectable for tests.
 *
 *   const redisTrouble = onceEvery(30_000);
 *   redis.on('error', (err) => redisTrouble((suppressed) => logger.warn('redis connection problem', err, { suppressed })));
 */
export function onceEvery(intervalMs: number, now: () => number = Date.now): (emit: (suppressed: number) => void) => boolean {
  let last = -Infinity;
  let suppressed = 0;
  return (emit) => {
    const t = now();
    if (t - last < intervalMs) {
      suppressed += 1;
      return false;
    }
    last = t;
    const count = suppressed;
    suppressed = 0;
    emit(count);
    return true;
  };
}
