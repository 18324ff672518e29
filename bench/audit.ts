/**
 * The audit trail at 1,000,000 events: written straight into Redis in the bot's format (stream
 * entries in domain/audit.ts's field order, hash-chained as store/audit-chain.ts chains them, and
 * the request, person and key-name indexes of store/audit-log.ts), then reviewed with
 * `/apikey audit` through the bot, one request at a time.
 */
import http from 'node:http';
import Redis from 'ioredis';
import type { AuditFields } from '../src/domain/audit';
import { groupId } from '../src/simulators/harness-firstgen';
import { sign, type SlackSender } from '../src/simulators/slack/requests';
import { chainKeys, GENESIS, hashEntry } from '../src/store/audit-chain';
import { stats, type Stats } from './load';

/** The bot's approver in the bench (only approvers may review). */
export const APPROVER = 'U0BENCHADMIN';

/**
 * Entries [from, to) of a synthetic trail: 4 events per request, 250,000 requests over 10,000 key
 * names and 2,000 requesters, approvers U0ADMIN0-19, spread over the last 30 days.
 */
function entry(i: number, ms: number): AuditFields {
  const r = Math.floor(i / 4);
  const requesterId = `U0USER${r % 2000}`;
  return {
    event: EVENTS[i % 4]!,
    requestId: `req-bench-${r}`,
    operation: 'create',
    actorId: i % 4 === 0 ? requesterId : `U0ADMIN${i % 20}`,
    requesterId,
    keyName: `key-${r % 10_000}`,
    keyUuid: '',
    userGroupIds: groupId(1),
    reason: 'bench',
    at: new Date(ms).toISOString(),
  };
}
const EVENTS = ['requested', 'approved', 'executed', 'refused'] as const;

/**
 * Writes a batch inside Redis: ARGV = start ms, step, first index, then per entry its `at`,
 * `prevHash` and `hash` (hashed here, by the product's own function: Redis's Lua has no SHA-256);
 * every other field is rebuilt in Lua exactly as entry() makes it.
 */
const POPULATE = `
local stream, start, step, first = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local events = {'requested', 'approved', 'executed', 'refused'}
local n = (#ARGV - 3) / 3
for j = 0, n - 1 do
  local i = first + j
  local ms = start + i * step
  local r = math.floor(i / 4)
  local req, key, requester = 'req-bench-' .. r, 'key-' .. (r % 10000), 'U0USER' .. (r % 2000)
  local actor = (i % 4 == 0) and requester or ('U0ADMIN' .. (i % 20))
  local id = redis.call('XADD', stream, ms .. '-0', 'event', events[i % 4 + 1], 'requestId', req, 'operation', 'create',
    'actorId', actor, 'requesterId', requester, 'keyName', key, 'keyUuid', '', 'userGroupIds', '${groupId(1)}',
    'reason', 'bench', 'at', ARGV[4 + 3 * j], 'prevHash', ARGV[5 + 3 * j], 'hash', ARGV[6 + 3 * j])
  redis.call('ZADD', stream .. ':idx:req:' .. req, ms, id)
  redis.call('ZADD', stream .. ':idx:user:' .. actor, ms, id)
  if actor ~= requester then redis.call('ZADD', stream .. ':idx:user:' .. requester, ms, id) end
  redis.call('ZADD', stream .. ':idx:key:name:' .. key, ms, id)
end
return n
`;

/** A hash-chained trail of `total` entries in the bot's format (stream, indexes, chain head), keyed with `hmacKey`. */
export async function populateAudit(redisUrl: string, stream: string, total: number, hmacKey: string) {
  const redis = new Redis(redisUrl);
  const start = Date.now() - 30 * 86_400_000;
  const step = Math.max(1, Math.floor((30 * 86_400_000 - 60_000) / total));
  const t0 = Date.now();
  let prev = GENESIS;
  // The stream key is built from KEYS[1] inside the script: fine on one redis-server, as here.
  for (let from = 0; from < total; from += 20_000) {
    const args: (string | number)[] = [start, step, from];
    for (let i = from; i < Math.min(total, from + 20_000); i++) {
      const fields = entry(i, start + i * step);
      const hash = hashEntry(fields, prev, hmacKey);
      args.push(fields.at, prev, hash);
      prev = hash;
    }
    await redis.eval(POPULATE, 1, stream, ...args);
  }
  await redis.set(chainKeys.head(stream), prev);
  const length = await redis.xlen(stream);
  const memory = /used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1] ?? '?';
  const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  redis.disconnect();
  const flat = last?.[1] ?? [];
  const fields = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : []))) as Record<string, string>;
  if (fields.hash !== hashEntry(fields, fields.prevHash ?? '', hmacKey)) throw new Error(`the audit entries were not written as hashed: ${JSON.stringify(last)}`);
  return { length, seconds: (Date.now() - t0) / 1000, memory };
}

export type Review = Stats & { empty: number };

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** POSTs a signed command on a kept-alive connection (node:http, as the load's client; undici's fetch adds its own tail). */
function post(url: string, secret: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...sign(secret, body) };
    const req = http.request(`${url}/slack/events`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** `samples` reviews to `url`, one after the other, each timed from sending to the end of the answer. */
export async function reviewTimes(url: string, sender: SlackSender, secret: string, samples: number, subject: () => string, check = true) {
  const times: number[] = [];
  let empty = 0;
  for (let i = 0; i < samples; i++) {
    const body = sender.commandBody(APPROVER, `audit ${subject()}`);
    const t = process.hrtime.bigint();
    const res = await post(url, secret, body);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (check && (res.status !== 200 || !res.body.includes('Audit trail') || res.body.includes('No matching events'))) empty++;
  }
  return { times, empty };
}

export function mergeReviews(batches: { times: number[]; empty: number }[]): Review {
  return { ...stats(batches.flatMap((b) => b.times)), empty: batches.reduce((a, b) => a + b.empty, 0) };
}
