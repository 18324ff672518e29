import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

/**
 * Checks a request against the NextGen OpenAPI subset (a copy of shared/harness/nextgen/openapi.yaml;
 * test/unit/harness/nextgen-contract.test.ts keeps them equal). The real server ignores unknown body
 * properties and drops misspelt fields silently, so the strict file is the only thing that catches
 * those mistakes: the simulator runs every request through here.
 */
const FIXTURE = path.join('test', 'fixtures', 'harness-nextgen-openapi.yaml');
// src/simulators (ts-jest), dist/simulators (tsc -p tsconfig.build.json), dist-bench/src/simulators (bench).
export const NEXTGEN_OPENAPI_PATH = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
  .map((root) => path.join(root, FIXTURE))
  .find((p) => existsSync(p));

export interface NextGenRequest {
  method: string;
  /** The path after the base URL, starting with /ng/api; a `?query` part is used when `query` is absent. */
  path: string;
  query?: URLSearchParams | Record<string, string | string[] | undefined>;
  headers?: Record<string, string | string[] | undefined>;
  /** Raw text as sent, or an already-parsed JSON value. */
  body?: unknown;
}

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}
interface Operation {
  operationId: string;
  method: string;
  template: string;
  pattern: RegExp;
  pathParams: string[];
  literalSegments: number;
  parameters: Parameter[];
  body?: { required: boolean; content: Record<string, Json> };
}

const DOC_ID = 'nextgen.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a null type, refs point into the registered document, x-* notes go. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k.startsWith('x-') || k === 'example' || k === 'nullable') continue;
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${DOC_ID}${v}` : toJsonSchema(v);
  }
  if ((node as Json).nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

function load(): { ajv: Ajv; operations: Operation[]; components: Json } {
  if (!NEXTGEN_OPENAPI_PATH) throw new Error(`Cannot find ${FIXTURE} above ${__dirname}.`);
  const doc = parseYaml(readFileSync(NEXTGEN_OPENAPI_PATH, 'utf8')) as { paths: Record<string, Json>; components: Json };
  const components = toJsonSchema(doc.components) as Json;
  // strict: false because OpenAPI keeps its own keywords (readOnly, description prose) beside JSON Schema's.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema({ $id: DOC_ID, components });

  const resolve = <T>(item: unknown): T => {
    const ref = (item as { $ref?: string }).$ref;
    if (!ref) return item as T;
    const parts = ref.replace(`${DOC_ID}#/`, '').split('/');
    return resolve<T>(parts.reduce<unknown>((o, p) => (o as Json)[p], { components }));
  };

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const converted = toJsonSchema(op) as Json;
      const pathParams: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        pathParams.push(name);
        return '([^/]+)';
      });
      const body = converted.requestBody ? resolve<{ required?: boolean; content: Record<string, { schema: Json }> }>(converted.requestBody) : undefined;
      operations.push({
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        pathParams,
        literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        parameters: ((converted.parameters as unknown[] | undefined) ?? []).map((p) => resolve<Parameter>(p)),
        body: body && {
          required: body.required === true,
          content: Object.fromEntries(Object.entries(body.content).map(([type, c]) => [type, c.schema])),
        },
      });
    }
  }
  return { ajv, operations, components };
}

let loaded: ReturnType<typeof load> | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(key: string, schema: Json): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    fn = loaded!.ajv.compile(schema);
    compiled.set(key, fn);
  }
  return fn;
}

const explain = (where: string, errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => {
    if (e.keyword === 'not') return `${where}${e.instancePath} is a value the schema excludes (a reserved word, or blank)`;
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `${where}${e.instancePath} ${e.message ?? 'is invalid'}${extra}`;
  });

/** Query strings carry text; the schema says integer or boolean. Anything unparseable stays text and fails. */
function coerce(value: string, schema: Json | undefined): unknown {
  const type = Array.isArray(schema?.type) ? (schema.type as string[])[0] : schema?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function queryValues(req: NextGenRequest): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (k: string, v: string) => out.set(k, [...(out.get(k) ?? []), v]);
  if (req.query instanceof URLSearchParams) req.query.forEach((v, k) => add(k, v));
  else if (req.query) {
    for (const [k, v] of Object.entries(req.query)) for (const one of v === undefined ? [] : [v].flat()) add(k, one);
  } else new URL(req.path, 'http://x').searchParams.forEach((v, k) => add(k, v));
  return out;
}

export function validateNextGenRequest(req: NextGenRequest): { operationId?: string; errors: string[] } {
  loaded ??= load();
  const method = req.method.toUpperCase();
  const pathname = req.path.split('?')[0] ?? '';
  const matches = loaded.operations.filter((o) => o.pattern.test(pathname));
  if (matches.length === 0) return { errors: [`no operation for path ${pathname}`] };
  // A literal segment beats a template one: GET /token/aggregate is not GET /token/{identifier}.
  const op = matches.filter((o) => o.method === method).sort((a, b) => b.literalSegments - a.literalSegments)[0];
  if (!op) return { errors: [`${method} is not an operation of ${pathname}`] };

  const errors: string[] = [];
  const headers = new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]));
  const query = queryValues(req);
  const pathValues = op.pattern.exec(pathname)!.slice(1);

  if (!headers.get('x-api-key')) errors.push('header x-api-key is required (security scheme)');
  for (const p of op.parameters) {
    const key = `${op.operationId}:${p.in}:${p.name}`;
    let value: unknown;
    if (p.in === 'path') {
      const raw = pathValues[op.pathParams.indexOf(p.name)];
      value = raw === undefined ? undefined : decodeURIComponent(raw);
    } else if (p.in === 'header') {
      value = headers.get(p.name.toLowerCase());
    } else if (p.in === 'query') {
      const values = query.get(p.name);
      query.delete(p.name);
      if (values && p.schema?.type === 'array') value = values.map((v) => coerce(v, p.schema?.items as Json | undefined));
      else if (values && values.length > 1) {
        errors.push(`query ${p.name} must be sent once, was sent ${values.length} times`);
        continue;
      } else if (values) value = coerce(values[0]!, p.schema);
    }
    if (value === undefined) {
      if (p.required) errors.push(`${p.in} ${p.name} is required`);
      continue;
    }
    const check = validator(key, p.schema ?? {});
    if (!check(value)) errors.push(...explain(`${p.in} ${p.name}`, check.errors));
  }
  for (const name of query.keys()) errors.push(`query ${name} is not a parameter of ${op.operationId}`);

  const hasBody = req.body !== undefined && req.body !== '';
  if (!op.body) {
    if (hasBody) errors.push(`${op.operationId} takes no request body`);
    return { operationId: op.operationId, errors };
  }
  if (!hasBody) {
    if (op.body.required) errors.push('body is required');
    return { operationId: op.operationId, errors };
  }
  const type = (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const schema = op.body.content[type];
  if (!schema) {
    errors.push(`content-type "${type}" is not one of ${Object.keys(op.body.content).join(', ')}`);
    return { operationId: op.operationId, errors };
  }
  let body = req.body;
  if (type === 'application/json' && typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      errors.push('body is not valid JSON');
      return { operationId: op.operationId, errors };
    }
  }
  const check = validator(`${op.operationId}:body:${type}`, schema);
  if (!check(body)) errors.push(...explain('body', check.errors));
  return { operationId: op.operationId, errors };
}
