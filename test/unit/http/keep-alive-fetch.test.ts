import { gzipSync } from 'node:zlib';
import { createKeepAliveFetch } from '../../../src/http/keep-alive-fetch';
import { freePort } from '../../../src/simulators/redis-server';
import { listen } from '../../../src/simulators/http-server';

type Server = Awaited<ReturnType<typeof listen>>;

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  remotePort: number;
}

describe('createKeepAliveFetch', () => {
  const fetch = createKeepAliveFetch();
  const seen: Seen[] = [];
  let server: Server;

  beforeAll(async () => {
    server = await listen((req, body, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort ?? 0 });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/plain' });
        res.end();
      } else if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ ok: true, zipped: 'yes' })));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000).unref();
      } else {
        res.writeHead(req.url === '/missing' ? 404 : 200, 'Custom Reason', [
          ['Content-Type', 'application/json; charset=utf-8'],
          ['X-OAuth-Scopes', 'chat:write, im:write'],
          ['Set-Cookie', 'a=1'],
          ['Set-Cookie', 'b=2'],
        ]);
        res.end(JSON.stringify({ ok: true, echo: body }));
      }
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    seen.length = 0;
  });

  it('sends the method, query, headers and body, and reads status, headers and body back', async () => {
    const res = await fetch(`${server.url}/api/chat.postMessage?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer t' },
      body: 'channel=C1&text=h%C3%A9',
    });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/chat.postMessage?x=1',
      body: 'channel=C1&text=h%C3%A9',
      headers: expect.objectContaining({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer t', 'content-length': '23' }),
    });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.statusText).toBe('Custom Reason');
    expect(res.headers.get('x-oauth-scopes')).toBe('chat:write, im:write');
    expect(res.headers.get('CONTENT-TYPE')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(Object.fromEntries(res.headers.entries())).toMatchObject({ 'x-oauth-scopes': 'chat:write, im:write' });
    expect(await res.json()).toEqual({ ok: true, echo: 'channel=C1&text=h%C3%A9' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow('Body is unusable');
  });

  it('takes URLSearchParams, bytes and Headers objects, and reports a non-2xx status without throwing', async () => {
    await fetch(`${server.url}/a`, { method: 'POST', body: new URLSearchParams({ q: 'a b' }) });
    await fetch(`${server.url}/b`, { method: 'PUT', body: new TextEncoder().encode('bytes'), headers: new Headers({ 'X-Api-Key': 'k' }) });
    const missing = await fetch(`${server.url}/missing`);
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', 'q=a+b'],
      ['PUT', 'bytes'],
      ['GET', ''],
    ]);
    expect(seen[1]!.headers['x-api-key']).toBe('k');
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.text()).toContain('"ok":true');
  });

  it('keeps the connection open between calls', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/plain`, { method: 'POST', body: String(i) })).text();
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
  });

  it('decodes a compressed body', async () => {
    expect(await (await fetch(`${server.url}/gzip`)).json()).toEqual({ ok: true, zipped: 'yes' });
  });

  it('rejects with the signal reason when it aborts, as fetch does (a timeout is a TimeoutError)', async () => {
    const err = (await fetch(`${server.url}/slow`, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('TimeoutError');
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(fetch(`${server.url}/plain`, { signal: controller.signal })).rejects.toThrow('stopped');
  });

  it('rejects a refused connection with TypeError("fetch failed") and the cause', async () => {
    const port = await freePort();
    const err = (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' }).catch((e: unknown) => e)) as TypeError & {
      cause?: { code?: string };
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.code).toBe('ECONNREFUSED');
  });

  it('refuses a redirect when told to, and otherwise follows it the way fetch does', async () => {
    await expect(fetch(`${server.url}/redirect`, { method: 'POST', body: 'x', redirect: 'error' })).rejects.toThrow('fetch failed');
    const followed = await fetch(`${server.url}/redirect`);
    expect(followed.status).toBe(200);
    // Refused; then asked again through the platform's fetch, which follows (neither client needs it).
    expect(seen.map((s) => s.url)).toEqual(['/redirect', '/redirect', '/redirect', '/plain']);
  });

  it("hands bodies it does not cover (FormData) to the platform's fetch", async () => {
    const form = new FormData();
    form.append('file', new Blob(['content']), 'a.txt');
    const res = await fetch(`${server.url}/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(String(seen[0]!.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]!.body).toContain('content');
  });
});
