import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppLogger } from '../logger';

/** Bolt's own limit; a bigger body is refused before anything reads it. */
const BODY_LIMIT = 4 * 1024 * 1024;
/** Slack's signing window: Bolt refuses older requests, and this guard remembers signatures this long. */
const WINDOW_S = 5 * 60;
/** Bolt's events endpoint (app.ts keeps Bolt's default). */
const EVENTS_PATH = '/slack/events';

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

/** Clocks drift; a request stamped further in the future than this was not sent by Slack now. */
const FUTURE_S = 60;

export interface ReplayMemory {
  /** True the first time this key is seen within `ttlSeconds`, false for a repeat. */
  firstSeen(key: string, ttlSeconds: number): Promise<boolean>;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * In front of Bolt's HTTPReceiver, for `POST /slack/events`: reads the body once (Bolt then reuses
 * it), refuses bodies Bolt would choke on (JSON that is not an object, a `payload` that is not an
 * object: Bolt crashes on `null`), refuses timestamps from the future, and drops a correctly
 * signed request seen before (Bolt keeps no nonce, so a captured request could be replayed for
 * five minutes) with an empty 200. Anything unsigned or badly signed goes on to Bolt, which
 * answers 401: the guard only remembers signatures it has verified.
 */
export function guardRequests(next: Listener, options: { signingSecret: string; replays: ReplayMemory; logger: AppLogger; now?: () => number }): Listener {
  const now = options.now ?? Date.now;
  const refuse = (res: ServerResponse, status: number) => {
    res.writeHead(status);
    res.end();
  };
  return (req, res) => {
    // The path as Bolt routes it (normalised: `/./slack/events` is `/slack/events` to Bolt too).
    if (req.method !== 'POST' || pathOf(req.url) !== EVENTS_PATH) return next(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('error', () => refuse(res, 400));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) return refuse(res, 413);
      const raw = Buffer.concat(chunks);
      void (async () => {
        const check = verified(req, raw, options.signingSecret, Math.floor(now() / 1000));
        if (check.future) return refuse(res, 401);
        const signed = check.signature;
        const body = signed ? readable(req, raw) : undefined;
        if (signed && !body) {
          options.logger.warn('malformed Slack request refused', { bytes: raw.length });
          return refuse(res, 400);
        }
        // A type-ahead options load changes nothing and may repeat byte for byte (the same text typed twice in a second).
        if (signed && !(body?.form && body.value.type === 'block_suggestion')) {
          const first = await options.replays.firstSeen(createHash('sha256').update(signed).digest('hex'), WINDOW_S + FUTURE_S).catch((err: unknown) => {
            // Without Redis nothing can be decided anyway; decisions stay idempotent by state.
            options.logger.warn('replay check unavailable', err);
            return true;
          });
          if (!first) {
            options.logger.info('replayed Slack request ignored');
            return refuse(res, 200);
          }
        }
        // Bolt reads `rawBody` instead of the (already consumed) stream.
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        next(req, res);
      })().catch((err: unknown) => {
        options.logger.error('request guard failed', err);
        if (!res.headersSent) refuse(res, 500);
      });
    });
  };
}

/** The signature when it is valid and fresh; `future` for a valid one stamped ahead of now; else nothing (Bolt decides). */
function verified(req: IncomingMessage, raw: Buffer, secret: string, nowS: number): { signature?: string; future?: boolean } {
  const signature = req.headers['x-slack-signature'];
  const stamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof stamp !== 'string' || !/^\d{1,12}$/.test(stamp)) return {};
  const ts = Number(stamp);
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${stamp}:`).update(raw).digest('hex')}`;
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return {};
  if (ts > nowS + FUTURE_S) return { future: true };
  return nowS - ts > WINDOW_S ? {} : { signature };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What Bolt will read from the body (a form's `payload`, or the JSON), or undefined when Bolt
 * cannot read it: a JSON object, or a form whose `payload` (when present) is a JSON object.
 * Parsed once here for both of the guard's questions.
 */
function readable(req: IncomingMessage, raw: Buffer): { form: boolean; value: Record<string, unknown> } | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  try {
    if (type === 'application/x-www-form-urlencoded') {
      const payload = new URLSearchParams(raw.toString('utf8')).get('payload');
      if (payload === null) return { form: true, value: {} };
      const parsed: unknown = JSON.parse(payload);
      return isObject(parsed) ? { form: true, value: parsed } : undefined;
    }
    // Bolt parses anything else as JSON.
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return isObject(parsed) ? { form: false, value: parsed } : undefined;
  } catch {
    return undefined;
  }
}
