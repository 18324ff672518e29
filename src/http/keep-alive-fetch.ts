import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * The `fetch` the Slack Web API client and the Harness GraphQL client call, on node:http(s) with
 * keep-alive agents.
 *
 * Why not the platform's fetch (undici): every approval makes ~5 such calls (Harness, then
 * Slack's update, DM and audit mirror), and undici's WHATWG plumbing (Request/Response objects,
 * body streams, abort signals, header guards) costs ~0.3 ms of CPU per call on this machine
 * against ~0.05 ms here (bench/README). On 2 cores that CPU and its garbage are taken from the
 * thread that acks Slack within 3 s.
 *
 * It covers what those two clients send: string, bytes or URLSearchParams bodies, any headers,
 * an AbortSignal, `redirect: 'error'`. Anything else (a Request object, FormData or a stream as
 * body, a redirect to follow) is handed to the platform's fetch unchanged, so behaviour never
 * narrows. Errors look like fetch's: `TypeError('fetch failed', { cause })`, or the signal's
 * reason once it aborts.
 */
export function createKeepAliveFetch(options: { maxSockets?: number } = {}): typeof fetch {
  const maxSockets = options.maxSockets ?? 64;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets }),
  };

  const keepAliveFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = url ? simpleBody(init.body) : undefined;
    if (!url || body === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) return globalThis.fetch(input, init);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();

    const headers = headerRecord(init.headers);
    if (body !== null) headers['content-length'] = String(body.length);
    const method = (init.method ?? 'GET').toUpperCase();
    const res = await send(url, { method, headers, agent: agents[url.protocol], signal }, body);

    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location && init.redirect !== 'manual') {
      res.resume();
      if (init.redirect === 'error') throw failure(new Error(`redirect to ${res.headers.location} refused (redirect: error)`));
      // Neither client expects one; ask again through the platform's fetch, which follows them by the rules.
      return globalThis.fetch(input, init);
    }
    const bytes = await readBody(res, signal);
    return new KeepAliveResponse(url.toString(), status, res.statusMessage ?? '', res.headers, bytes) as unknown as Response;
  };
  return keepAliveFetch;
}

/** The body as bytes, null for none, or undefined when the platform's fetch must handle it. */
function simpleBody(body: RequestInit['body']): Buffer | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const pairs: Iterable<readonly [string, string | readonly string[]]> =
    headers instanceof Headers ? headers.entries() : Array.isArray(headers) ? (headers as [string, string][]) : Object.entries(headers);
  for (const [name, value] of pairs) out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  return out;
}

function send(url: URL, options: http.RequestOptions & { signal?: AbortSignal }, body: Buffer | null): Promise<IncomingMessage> {
  const { signal, ...rest } = options;
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, rest, resolve);
    const detach = destroyOnAbort(req, signal);
    req.once('close', detach);
    req.once('error', (err) => reject(failure(err, signal)));
    req.end(body ?? undefined);
  });
}

/** Destroys the stream with the signal's reason when it aborts; returns the unhook. */
function destroyOnAbort(stream: { destroy(err: Error): unknown }, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const onAbort = () => stream.destroy(signal.reason as Error);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** How fetch rejects: with the signal's reason once it aborted, else TypeError('fetch failed'). */
function failure(cause: unknown, signal?: AbortSignal): Error {
  return signal?.aborted ? (signal.reason as Error) : new TypeError('fetch failed', { cause });
}

const decoders: Record<string, (buf: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

function readBody(res: IncomingMessage, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const detach = destroyOnAbort(res, signal);
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('error', (err) => {
      detach();
      reject(failure(err, signal));
    });
    res.once('end', () => {
      detach();
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const decode = decoders[String(res.headers['content-encoding'] ?? '').toLowerCase()];
      if (!decode) return resolve(raw);
      decode(raw).then(resolve, (err: unknown) => reject(failure(err)));
    });
  });
}

/** The read-only part of Headers that clients read from responses. */
class ResponseHeaders {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) yield [name, this.get(name)!];
  }

  keys(): IterableIterator<string> {
    return Object.keys(this.raw).sort()[Symbol.iterator]();
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string, headers: ResponseHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** A fully received response: the members of Response that clients use, over one buffer. */
class KeepAliveResponse {
  readonly headers: ResponseHeaders;
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: http.IncomingHttpHeaders,
    private readonly bytes: Buffer,
  ) {
    this.headers = new ResponseHeaders(headers);
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  text(): Promise<string> {
    return this.read((bytes) => bytes.toString('utf8'));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.read((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }

  /** A body is read once, as with fetch. */
  private read<T>(convert: (bytes: Buffer) => T): Promise<T> {
    if (this.used) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.used = true;
    return Promise.resolve(convert(this.bytes));
  }
}
