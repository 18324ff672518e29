import type http from 'node:http';
import { listen } from '../http-server';

/**
 * A local stand-in for Slack's Web API speaking its wire format: POST /api/<method>, form-encoded
 * (object arguments JSON-encoded inside the form), `Authorization: Bearer <token>`, answers
 * `{ ok: true, ... }` or `{ ok: false, error }`. Every call is recorded for assertions.
 */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  at: number;
  /** What the simulator answered (a posted message's ts, an opened view's id). */
  result?: Record<string, unknown>;
}

export interface FakeSlack {
  url: string;
  apiUrl: string;
  calls: SlackCall[];
  /** Every call answered, kept or not. */
  readonly total: number;
  callsTo(method: string): SlackCall[];
  /** Members returned by usergroups.users.list, per user group id. */
  userGroups: Map<string, string[]>;
  /** Force a method to fail with this Slack error code. */
  failures: Map<string, string>;
  /** The WebSocket URL apps.connections.open hands out (Socket Mode). */
  setSocketUrl(url: string): void;
  /** Resolves with the first call (from index `since` on) that matches. */
  waitFor(predicate: (call: SlackCall) => boolean, timeoutMs?: number, since?: number): Promise<SlackCall>;
  close(): Promise<void>;
}

/**
 * What turns the fake into a stateful Slack (the sandbox's workspace, see sandbox.ts). Without
 * one, every method gets the canned answers below, as the integration tests expect.
 */
export interface FakeSlackExtension {
  /** Serves a request that is not a Web API call (the page, its endpoints, response_url); true when served. */
  route?(req: http.IncomingMessage, body: string, res: http.ServerResponse): boolean | Promise<boolean>;
  /** A Slack error code to refuse the call's token with, or undefined to accept it. */
  authorize?(call: SlackCall): string | undefined;
  /** The answer to a Web API call (after `failures`). */
  answer?(call: SlackCall): Record<string, unknown>;
}

export interface FakeSlackOptions {
  /**
   * Which calls are recorded (default: all). The benchmark keeps only what it reads: holding tens
   * of thousands of Block Kit payloads made the fake itself slow (GC pauses).
   */
  keep?: (call: SlackCall) => boolean;
  /** Loopback port to listen on (default: a free one). */
  port?: number;
  /** The map behind `userGroups` (the sandbox shares it with its workspace). */
  userGroups?: Map<string, string[]>;
  /** Built once the fake exists; `record` adds a call (e.g. a response_url post) to `calls`. */
  extension?: (record: (call: SlackCall) => void) => FakeSlackExtension;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

export function parseArgs(type: string, body: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (type.startsWith('application/json')) Object.assign(args, JSON.parse(body || '{}'));
  else
    for (const [k, v] of new URLSearchParams(body)) {
      args[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
    }
  return args;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  let total = 0;
  const userGroups = options.userGroups ?? new Map<string, string[]>();
  const failures = new Map<string, string>();
  let socketUrl: string | undefined;
  let ts = 1_700_000_000;
  const waiters: { predicate: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];

  const record = (call: SlackCall) => {
    total++;
    if (!options.keep || options.keep(call)) calls.push(call);
    for (const w of [...waiters]) {
      if (w.predicate(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  };
  const extension = options.extension?.(record);

  const server = await listen(async (req, body, res) => {
    if (extension?.route && (await extension.route(req, body, res))) return;
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const answered: { call?: SlackCall } = {};
    const reply = (payload: Record<string, unknown>) => {
      if (answered.call) answered.call.result = payload;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    let args: Record<string, unknown>;
    try {
      args = parseArgs(req.headers['content-type'] ?? '', body);
    } catch {
      return reply({ ok: false, error: 'invalid_json' });
    }
    const auth = req.headers.authorization;
    const call: SlackCall = { method, args, token: auth?.replace(/^Bearer /, ''), at: Date.now() };
    answered.call = call;
    record(call);
    if (extension) {
      const refused = extension.authorize?.(call);
      if (refused) return reply({ ok: false, error: refused });
      const failure = failures.get(method);
      if (failure) return reply({ ok: false, error: failure });
      if (extension.answer) return reply(extension.answer(call));
    }
    // response_url posts (respond()): JSON bodies to the URLs tests put in payloads; no token.
    if (method.startsWith('/commands/') || method.startsWith('/actions/')) return reply({ ok: true });
    if (method === 'apps.connections.open') {
      return call.token?.startsWith('xapp-') && socketUrl
        ? reply({ ok: true, url: socketUrl })
        : reply({ ok: false, error: 'invalid_auth' });
    }
    if (!call.token?.startsWith('xoxb-')) return reply({ ok: false, error: 'not_authed' });
    const failure = failures.get(method);
    if (failure) return reply({ ok: false, error: failure });
    switch (method) {
      case 'auth.test':
        return reply({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'apikey-bot' });
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return reply({ ok: true, view: { id: `V${calls.length}`, ...(args.view as object) } });
      case 'chat.postMessage': {
        const channel = String(args.channel);
        return reply({ ok: true, channel: channel.startsWith('U') ? `D${channel.slice(1)}` : channel, ts: `${++ts}.000100` });
      }
      case 'chat.update':
        return reply({ ok: true, channel: args.channel, ts: args.ts });
      case 'chat.postEphemeral':
        return reply({ ok: true, message_ts: `${++ts}.000200` });
      case 'usergroups.users.list': {
        const users = userGroups.get(String(args.usergroup));
        return users ? reply({ ok: true, users }) : reply({ ok: false, error: 'no_such_subteam' });
      }
      default:
        return reply({ ok: false, error: 'unknown_method' });
    }
  }, options.port);

  return {
    url: server.url,
    apiUrl: `${server.url}/api/`,
    calls,
    get total() {
      return total;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    userGroups,
    failures,
    setSocketUrl(url) {
      socketUrl = url;
    },
    waitFor(predicate, timeoutMs = 5000, since = 0) {
      const found = calls.slice(since).find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { predicate, resolve: (c: SlackCall) => (clearTimeout(timer), resolve(c)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no Slack call matched within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: server.close,
  };
}
