import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateNextGenRequest } from './contracts';
import { createBehaviour } from './harness-nextgen-behaviour';
import { createOperations } from './harness-nextgen-operations';
import { Fault, failure, invalidRequest, invalidToken, makeServiceAccounts, malformedJson, unknownError } from './harness-nextgen-state';
import type { NextGenState, SimServiceAccount } from './harness-nextgen-state';

export { makeServiceAccounts, type NextGenState, type SimApiKey, type SimServiceAccount, type SimToken } from './harness-nextgen-state';

/**
 * A local Harness NextGen (ng-manager) for tests and the sandbox. Every request is checked against
 * the strict OpenAPI file; a violation is answered 400 (where the real server would often drop the
 * field silently) and recorded in `invalidRequests`, which tests assert stays empty. Then it behaves
 * as FACTS.md describes, including the traps. Bound to 127.0.0.1; any other peer gets 403.
 */
export type NextGenMode =
  | { kind: 'normal' }
  | { kind: 'status'; status: number; body: string | object; contentType?: string }
  | { kind: 'delay'; ms: number };

export interface NextGenSimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  operationId?: string;
  status?: number;
}

export interface NextGenSimulatorOptions {
  /** The bot's credential; tokens minted by the simulator authenticate too, as in Harness. */
  apiKey: string;
  accountId: string;
  /** Default: makeServiceAccounts(3). */
  serviceAccounts?: SimServiceAccount[];
  /** Per x-api-key, sliding 60 s window; above it HTTP 429 without Retry-After. Default: unlimited. */
  rateLimitPerMinute?: number;
  port?: number;
  /** The simulator's clock (expiry, validTo checks, rate window). Default Date.now. */
  now?: () => number;
  /** How long an expired token stays listed (Harness: up to about a minute). Default 0. */
  ttlSweepDelayMs?: number;
  /** A snapshot() to start from instead of a fresh state. */
  state?: string;
}

export interface NextGenSimulator {
  /** The base URL to give the client (the part before /ng/api). */
  url: string;
  port: number;
  requests: NextGenSimRequest[];
  invalidRequests: { method: string; path: string; operationId?: string; errors: string[] }[];
  state: NextGenState;
  mode: NextGenMode;
  /** Applies `mode` to the next n requests (only those of `operationId` if given), then back to normal. */
  modeFor(mode: NextGenMode, n: number, match?: { operationId?: string }): void;
  snapshot(): string;
  restore(json: string): void;
  close(): Promise<void>;
}

export const isLoopback = (address: string | undefined) => address === '::1' || /^(::ffff:)?127\./.test(address ?? '');

/** "body/identifier must match…" → { fieldId: "identifier", error: "must match…" }, like Harness's Failure.errors. */
function fieldError(message: string): { fieldId: string | null; error: string } {
  const m = /^body(?:\/(\S+))?\s+(.*)$/.exec(message) ?? /^(?:query|header|path) (\S+)\s+(.*)$/.exec(message);
  return m ? { fieldId: m[1] ?? null, error: m[2]! } : { fieldId: null, error: message };
}

export async function startNextGenSimulator(options: NextGenSimulatorOptions): Promise<NextGenSimulator> {
  const now = options.now ?? Date.now;
  const state: NextGenState = options.state
    ? (JSON.parse(options.state) as NextGenState)
    : { accountId: options.accountId, serviceAccounts: options.serviceAccounts ?? makeServiceAccounts(3), apiKeys: [], tokens: [], denied: [] };
  const core = createBehaviour(state, { apiKey: options.apiKey, now, ttlSweepDelayMs: options.ttlSweepDelayMs ?? 0 });
  const operations = createOperations(core);
  const requests: NextGenSimRequest[] = [];
  const invalidRequests: NextGenSimulator['invalidRequests'] = [];
  const windows = new Map<string, number[]>();
  let mode: NextGenMode = { kind: 'normal' };
  let remaining = Infinity;
  let only: string | undefined;

  function limited(key: string): boolean {
    if (options.rateLimitPerMinute === undefined) return false;
    const t = now();
    const recent = (windows.get(key) ?? []).filter((at) => at > t - 60_000);
    windows.set(key, recent);
    if (recent.length >= options.rateLimitPerMinute) return true;
    recent.push(t);
    return false;
  }

  async function handle(req: http.IncomingMessage, bodyText: string, ctx: { record?: NextGenSimRequest }): Promise<{ status: number; body: unknown; type?: string }> {
    if (!isLoopback(req.socket.remoteAddress)) return { status: 403, body: { message: 'This simulator only serves loopback clients.' } };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/gateway(?=\/)/, '');
    const check = validateNextGenRequest({ method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body: bodyText });
    const record: NextGenSimRequest = { method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body: bodyText, ...(check.operationId ? { operationId: check.operationId } : {}) };
    requests.push(record);
    ctx.record = record;
    if (check.errors.length > 0) invalidRequests.push({ method: record.method, path, ...(check.operationId ? { operationId: check.operationId } : {}), errors: check.errors });
    core.sweep();

    const apiKey = typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined;
    // The edge answers before ng-manager, with a body of its own and no Retry-After.
    if (limited(apiKey ?? '')) return { status: 429, body: '<html><body>Too Many Requests</body></html>', type: 'text/html' };
    if (remaining > 0 && mode.kind !== 'normal' && (!only || only === check.operationId)) {
      const active = mode;
      if (--remaining === 0) mode = { kind: 'normal' };
      if (active.kind === 'status') return { status: active.status, body: active.body, ...(active.contentType ? { type: active.contentType } : {}) };
      await new Promise((r) => setTimeout(r, active.ms));
    }

    if (!check.operationId) {
      const known = check.errors[0]?.startsWith('no operation') !== true;
      if (known) return new Fault(405, failure('RESOURCE_NOT_FOUND_EXCEPTION', 'HTTP 405 Method Not Allowed').body);
      return failure('RESOURCE_NOT_FOUND_EXCEPTION', 'HTTP 404 Not Found');
    }
    const header = req.headers['harness-account'];
    const account = (typeof header === 'string' && header) || url.searchParams.get('account') || url.searchParams.get('accountIdentifier');
    if (!account) throw invalidRequest('Account detail is not present in the request');
    const principal = core.authenticate(apiKey, account);
    const queryAccount = url.searchParams.get('accountIdentifier');
    if (queryAccount !== null && queryAccount !== state.accountId) throw invalidToken(); // inferred: another account's data

    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let body: unknown;
    if (bodyText !== '') {
      if (!['application/json', 'application/yaml', 'text/plain'].includes(type)) throw failure('MEDIA_NOT_SUPPORTED', 'HTTP 415 Unsupported Media Type');
      try {
        body = type === 'application/json' ? JSON.parse(bodyText) : bodyText;
      } catch (err) {
        throw malformedJson((err as Error).message);
      }
    }
    if (check.errors.length > 0) throw failure('INVALID_REQUEST', check.errors.join(', '), check.errors.map(fieldError));
    const pathId = /\/ng\/api\/.*\/([^/]+)$/.exec(path)?.[1];
    const handler = operations[check.operationId];
    if (!handler) throw unknownError();
    const data = handler({ query: url.searchParams, pathId: pathId === undefined ? undefined : decodeURIComponent(pathId), body, principal });
    return { status: 200, body: { status: 'SUCCESS', data, metaData: null, correlationId: randomUUID() } };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ctx: { record?: NextGenSimRequest } = {};
      const send = (r: { status: number; body: unknown; type?: string }) => {
        const requestId = req.headers['x-requestid'];
        const body = r.body as Record<string, unknown>;
        // CorrelationFilter echoes X-requestId; bodies built outside it (401, 403) keep their null.
        if (typeof body === 'object' && body && body.correlationId !== undefined && body.correlationId !== null) {
          body.correlationId = typeof requestId === 'string' ? requestId : randomUUID();
        }
        if (ctx.record) ctx.record.status = r.status;
        res.writeHead(r.status, { 'content-type': r.type ?? 'application/json' });
        res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      };
      handle(req, Buffer.concat(chunks).toString('utf8'), ctx)
        .then(send, (err: unknown) => send(err instanceof Fault ? { status: err.status, body: err.body, type: err.contentType } : { status: unknownError().status, body: unknownError().body }))
        .catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/gateway`,
    port,
    requests,
    invalidRequests,
    state,
    get mode() {
      return mode;
    },
    set mode(m: NextGenMode) {
      [mode, remaining, only] = [m, Infinity, undefined];
    },
    modeFor(m, n, match) {
      [mode, remaining, only] = [m, n, match?.operationId];
    },
    snapshot: () => JSON.stringify(state),
    restore(json) {
      const next = JSON.parse(json) as NextGenState;
      state.accountId = next.accountId;
      for (const k of ['serviceAccounts', 'apiKeys', 'tokens', 'denied'] as const) (state[k] as unknown[]).splice(0, Infinity, ...next[k]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
