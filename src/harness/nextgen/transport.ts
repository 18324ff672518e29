import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HarnessError } from '../harness-error';
import { badResponse, errorFromResponse, errorFromTransport, type OperationContext } from './errors';
import * as s from './schemas';
import { RATE_LIMIT_RETRIES, type CallBudget } from '../call-budget';

export interface NextGenClientOptions {
  /** The part before /ng/api, e.g. https://app.harness.io/gateway. */
  baseUrl: string;
  accountId: string;
  orgId?: string;
  projectId?: string;
  apiKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Waits for the account's call budget before each call (shared by replicas). */
  budget?: CallBudget;
}

export type Query = Record<string, string | number | string[] | undefined>;
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** The response carries a token value: a parse failure must not keep any of it. */
  secret?: boolean;
}

const PAGE_SIZE = 100; // Harness documents 100 as the maximum and does not reliably enforce it.
const MAX_PAGES = 1000;

/**
 * One HTTP exchange with ng-manager: x-api-key, Harness-Account (PUT /apikey has no other place for
 * the account) and an X-requestId on every call, the ResponseDTO envelope unwrapped, failures
 * turned into NextGenError. Nothing is retried: Harness answers 500 both for failures and for
 * unknown ids, so only the caller, after listing again, can tell.
 */
export function createTransport(options: NextGenClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const secrets = [options.apiKey];

  async function call<T extends z.ZodType>(op: OperationContext, req: Call, data: T): Promise<z.infer<T>> {
    for (let attempt = 0; ; attempt++) {
      const ended = await options.budget?.beforeCall();
      try {
        return await callOnce(op, req, data);
      } catch (err) {
        if (!options.budget || attempt >= RATE_LIMIT_RETRIES || !(err instanceof HarnessError) || err.kind !== 'rate_limited') throw err;
        await options.budget.rateLimited();
      } finally {
        await ended?.();
      }
    }
  }

  async function callOnce<T extends z.ZodType>(op: OperationContext, req: Call, data: T): Promise<z.infer<T>> {
    const url = new URL(base + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) for (const one of v === undefined ? [] : [v].flat()) url.searchParams.append(k, String(one));
    const headers: Record<string, string> = {
      'x-api-key': options.apiKey,
      'Harness-Account': options.accountId,
      'X-requestId': randomUUID(),
      accept: 'application/json',
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const res = await doFetch(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw errorFromTransport(op, err, options.timeoutMs);
    }
    if (status < 200 || status >= 300) throw errorFromResponse(op, status, text, secrets);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badResponse(op, status, req.secret ? undefined : 'body is not JSON');
    }
    const parsed = s.envelope(data).safeParse(json);
    if (!parsed.success) throw badResponse(op, status, req.secret ? undefined : z.prettifyError(parsed.error));
    return (parsed.data as { data: z.infer<T> }).data;
  }

  async function pages<T extends z.ZodType>(op: OperationContext, path: string, query: Query, item: T): Promise<z.infer<T>[]> {
    const all: z.infer<T>[] = [];
    for (let pageIndex = 0; pageIndex < MAX_PAGES; pageIndex++) {
      // Sorted by identifier: the default order (last modified) moves items between pages as they change.
      const page = await call(op, { method: 'GET', path, query: { ...query, pageIndex, pageSize: PAGE_SIZE, sortOrders: 'identifier,ASC' } }, s.pageOf(item));
      const content = page.content ?? [];
      all.push(...content);
      if (content.length === 0 || page.empty === true || (page.totalPages != null && pageIndex + 1 >= page.totalPages)) break;
    }
    return all;
  }

  return { call, pages };
}
