import type http from 'node:http';
import { PageError, type Outcome, type SlackClient } from './client';
import { closeView, setInputs, submitView, suggest, viewAction } from './modal-client';
import type { PageInput } from './modal-state';
import { snapshot } from './page-state';
import type { SlackCall } from './web-api';
import type { Change } from './workspace';

/**
 * The sandbox's HTTP routes beside the Web API: the page (GET /, /page/*), its live feed
 * (GET /sandbox/events, server-sent events), each person's view (GET /sandbox/state), what a
 * person does (POST /sandbox/*, JSON), and the response_urls handed to the bot. Only loopback
 * peers and loopback Host headers are served (no DNS rebinding); the page's POSTs must be JSON
 * from a loopback origin (no cross-site form posts).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const hostname = (host: string | undefined) => (host ?? '').replace(/:\d+$/, '').toLowerCase();
export const isLoopbackRequest = (req: http.IncomingMessage) =>
  LOOPBACK_PEERS.has(req.socket.remoteAddress ?? '') && LOOPBACK_HOSTS.has(hostname(req.headers.host));

function loopbackOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (req.headers['sec-fetch-site'] === 'cross-site') return false;
  if (!origin) return true;
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

type Body = Record<string, unknown>;
const text = (v: unknown, field: string): string => {
  if (typeof v !== 'string') throw new PageError(`${field} must be a string`);
  return v;
};
const input = (b: Body): PageInput => ({ value: b.value, option: b.option, options: b.options });

export function pageRoutes(deps: { client: SlackClient; page: Map<string, { type: string; body: Buffer }>; record: (call: SlackCall) => void }) {
  const { client } = deps;
  const ws = client.ws;

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', ...SECURITY_HEADERS });
    res.end(JSON.stringify(body));
  };

  const actions: Record<string, (b: Body) => Outcome | Promise<Outcome>> = {
    command: (b) => client.command(text(b.user, 'user'), text(b.channel, 'channel'), text(b.text, 'text')),
    message: (b) => client.message(text(b.user, 'user'), text(b.channel, 'channel'), text(b.text, 'text'), typeof b.thread_ts === 'string' ? b.thread_ts : undefined),
    action: (b) => {
      const [user, blockId, actionId] = [text(b.user, 'user'), text(b.block_id, 'block_id'), text(b.action_id, 'action_id')];
      if (typeof b.view_id === 'string') return viewAction(client, user, b.view_id, blockId, actionId, input(b));
      const target = b.home === true ? { home: true as const } : { channel: text(b.channel, 'channel'), ts: text(b.ts, 'ts') };
      return client.messageAction(user, target, blockId, actionId, input(b));
    },
    input: (b) => setInputs(client, text(b.user, 'user'), text(b.view_id, 'view_id'), (b.values ?? {}) as Record<string, Record<string, PageInput>>),
    submit: (b) => submitView(client, text(b.user, 'user'), text(b.view_id, 'view_id'), b.values as Record<string, Record<string, PageInput>> | undefined),
    suggest: (b) => suggest(client, text(b.user, 'user'), text(b.view_id, 'view_id'), text(b.block_id, 'block_id'), text(b.action_id, 'action_id'), text(b.value, 'value')),
    close: (b) => closeView(client, text(b.user, 'user'), text(b.view_id, 'view_id')),
    home: (b) => client.openHome(text(b.user, 'user'), b.tab === 'messages' ? 'messages' : 'home'),
  };

  function events(req: http.IncomingMessage, res: http.ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...SECURITY_HEADERS });
    res.write('retry: 1000\n\n');
    const listener = (change: Change) => res.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ws.changes.on('change', listener);
    res.on('close', () => {
      clearInterval(ping);
      ws.changes.off('change', listener);
    });
  }

  return async function route(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<boolean> {
    if (!isLoopbackRequest(req)) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('The Slack sandbox only serves loopback clients at a loopback address (127.0.0.1 or localhost).');
      return true;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path.startsWith('/api/')) return false;

    const response = /^\/sandbox\/response\/([0-9a-f]+)$/.exec(path);
    if (response && req.method === 'POST') {
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(body) as Record<string, unknown>;
      } catch {
        args = { raw: body };
      }
      deps.record({ method: 'response_url', args: { ...args, url: path }, at: Date.now() });
      const { status, answer } = client.respond(response[1]!, body);
      send(res, status, answer);
      return true;
    }

    if (req.method === 'GET') {
      const file = path === '/' ? 'index.html' : /^\/page\/([\w.-]+)$/.exec(path)?.[1];
      const asset = file ? deps.page.get(file) : undefined;
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, ...SECURITY_HEADERS });
        res.end(asset.body);
        return true;
      }
      if (path === '/sandbox/events') {
        events(req, res);
        return true;
      }
      if (path === '/sandbox/state') {
        const state = snapshot(ws, url.searchParams.get('user') ?? '', client.connected);
        send(res, state ? 200 : 404, state ?? { ok: false, error: 'user_not_found' });
        return true;
      }
    }

    const name = /^\/sandbox\/(\w+)$/.exec(path)?.[1];
    const action = name && req.method === 'POST' ? actions[name] : undefined;
    if (!action) {
      send(res, 404, { ok: false, error: 'not_found' });
      return true;
    }
    if (!String(req.headers['content-type']).startsWith('application/json') || !loopbackOrigin(req)) {
      send(res, 403, { ok: false, error: 'the sandbox takes JSON from its own page only' });
      return true;
    }
    try {
      const parsed = JSON.parse(body || '{}') as unknown;
      if (!parsed || typeof parsed !== 'object') throw new PageError('the body must be a JSON object');
      send(res, 200, await action(parsed as Body));
    } catch (err) {
      if (err instanceof PageError || err instanceof SyntaxError) send(res, 400, { ok: false, error: err.message });
      else throw err;
    }
    return true;
  };
}
