/**
 * Lua scripts: each one is a single atomic step that changes state, appends its audit entry and
 * records the notifications it owes (the outbox), so there is never a state change without its
 * audit line or its messages, nor an audit line for a change that did not happen. ioredis's
 * defineCommand re-sends the body with EVAL after NOSCRIPT (a Redis restart).
 *
 * Every script takes its keys in KEYS (fixed roles first, then the audit index keys) and its
 * values as ONE named JSON object in ARGV[1]. Pairs (`fields`, `patch`, `audit`) are JSON arrays
 * [k1, v1, k2, v2, ...] so the stream keeps the field order. Outbox items arrive JSON-encoded.
 *
 * The audit hash chain (store/audit-chain.ts): the caller hashes the entry against the chain head
 * it read, and sends `chain` = { expect (that head, '' when there was none), hash }. A script that
 * writes an audit entry first checks the head key still holds `expect`; if another writer moved
 * it, the script writes NOTHING and answers {'CONFLICT', head}, and the caller hashes again.
 */
const COMMON = `
local a = cjson.decode(ARGV[1])

-- The current head when it is no longer the one the entry was hashed against, else false.
local function chain_moved(head_key)
  local head = redis.call('GET', head_key) or ''
  if head ~= a.chain.expect then return head end
  return false
end

-- Appends the audit entry, files it under each index key (sorted sets, score = entry time in
-- ms), advances the chain head and, when the entry belongs to an outbox, owes its mirror to the
-- audit channel. Callers check chain_moved before their first write.
local function audit_append(stream, head_key, pairs, first_index, outbox, outbox_index, subject)
  local id = redis.call('XADD', stream, '*', unpack(pairs))
  redis.call('SET', head_key, a.chain.hash)
  local ms = tonumber(string.match(id, '^(%d+)'))
  for i = first_index, #KEYS do
    redis.call('ZADD', KEYS[i], ms, id)
  end
  if outbox then
    redis.call('RPUSH', outbox, cjson.encode({kind = 'audit-mirror', entryId = id}))
    redis.call('ZADD', outbox_index, 'NX', a.nowMs, subject)
  end
  return id
end

local function outbox_push(outbox, outbox_index, subject, items)
  for _, item in ipairs(items) do redis.call('RPUSH', outbox, item) end
  if #items > 0 then redis.call('ZADD', outbox_index, 'NX', a.nowMs, subject) end
end
`;

/**
 * KEYS: 1 request, 2 open set, 3 pending names, 4 registry names, 5 pending keys,
 *       6 requester's requests, 7 stream, 8 outbox, 9 outbox index, 10 chain head,
 *       11.. audit index keys
 * ARGV[1]: { id, reserveName, holdKey, nowMs, fields, audit, chain, outbox, mirror }
 */
export const CREATE_REQUEST = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'EXISTS'} end
if a.reserveName ~= '' then
  if redis.call('HEXISTS', KEYS[4], a.reserveName) == 1 or redis.call('HEXISTS', KEYS[3], a.reserveName) == 1 then
    return {'NAME_TAKEN'}
  end
end
if a.holdKey ~= '' then
  local holder = redis.call('HGET', KEYS[5], a.holdKey)
  if holder then return {'KEY_BUSY', holder} end
end
local moved = chain_moved(KEYS[10])
if moved then return {'CONFLICT', moved} end
if a.holdKey ~= '' then redis.call('HSET', KEYS[5], a.holdKey, a.id) end
if a.reserveName ~= '' then redis.call('HSET', KEYS[3], a.reserveName, a.id) end
redis.call('HSET', KEYS[1], unpack(a.fields))
redis.call('ZADD', KEYS[2], a.nowMs, a.id)
redis.call('ZADD', KEYS[6], a.nowMs, a.id)
outbox_push(KEYS[8], KEYS[9], a.id, a.outbox)
local id = audit_append(KEYS[7], KEYS[10], a.audit, 11, a.mirror and KEYS[8], KEYS[9], a.id)
return {'OK', id}
`;

/**
 * KEYS: 1 request, 2 open set, 3 pending names, 4 registry, 5 registry names, 6 pending keys,
 *       7 stream, 8 outbox, 9 outbox index, 10 chain head, then with line: 11 Harness queue,
 *       12 its leases; then the audit index keys
 * ARGV[1]: { from (states), to, actorId, forbidSelf, terminal, patch, audit (or false),
 *            chain (or false, with audit), registry ({ uuid, record, name, previousName } or false),
 *            outbox, mirror, nowMs, line ({ leaseUntil } or false: the Harness queue. An
 *            approval takes its place in line, scored by its audit entry's id so the line keeps
 *            the order approvals landed in; a request that ends leaves it, whatever ended it) }
 */
export const TRANSITION = `${COMMON}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'NOT_FOUND'} end
local allowed = false
for _, s in ipairs(a.from) do
  if s == state then allowed = true end
end
if not allowed then
  return {'STATE', state, redis.call('HGET', KEYS[1], 'approverId') or ''}
end
if a.forbidSelf and redis.call('HGET', KEYS[1], 'requesterId') == a.actorId then
  return {'SELF'}
end
if a.audit then
  local moved = chain_moved(KEYS[10])
  if moved then return {'CONFLICT', moved} end
end
local id = redis.call('HGET', KEYS[1], 'id')
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', a.to)
if #a.patch > 0 then redis.call('HSET', KEYS[1], unpack(a.patch)) end
if a.terminal then
  redis.call('ZREM', KEYS[2], id)
  local name = redis.call('HGET', KEYS[1], 'keyName')
  if name and redis.call('HGET', KEYS[3], name) == id then redis.call('HDEL', KEYS[3], name) end
  local uuid = redis.call('HGET', KEYS[1], 'keyUuid')
  if uuid and redis.call('HGET', KEYS[6], uuid) == id then redis.call('HDEL', KEYS[6], uuid) end
end
local reg = a.registry
if reg then
  redis.call('HSET', KEYS[4], reg.uuid, reg.record)
  if reg.previousName ~= '' and redis.call('HGET', KEYS[5], reg.previousName) == reg.uuid then redis.call('HDEL', KEYS[5], reg.previousName) end
  if reg.name ~= '' then redis.call('HSET', KEYS[5], reg.name, reg.uuid) end
end
outbox_push(KEYS[8], KEYS[9], id, a.outbox)
local entry = ''
if a.audit then entry = audit_append(KEYS[7], KEYS[10], a.audit, a.line and 13 or 11, a.mirror and KEYS[8], KEYS[9], id) end
if a.line and a.terminal then
  redis.call('ZREM', KEYS[11], id)
  redis.call('ZREM', KEYS[12], id)
elseif a.line and entry ~= '' then
  -- ms + seq/1000: entries of one millisecond stay in stream order (a double keeps 1/4096 there).
  local ms, seq = string.match(entry, '^(%d+)-(%d+)$')
  redis.call('ZADD', KEYS[11], 'NX', tonumber(ms) + math.min(tonumber(seq), 999) / 1000, id)
  redis.call('ZADD', KEYS[12], a.line.leaseUntil, id)
end
return {'OK', tostring(version), entry}
`;

/**
 * An audit entry that changes no state (a refused click).
 * KEYS: 1 stream, 2 outbox, 3 outbox index, 4 chain head, 5.. audit index keys
 * ARGV[1]: { audit, chain, subject, mirror, nowMs }
 */
export const AUDIT_ONLY = `${COMMON}
local moved = chain_moved(KEYS[4])
if moved then return {'CONFLICT', moved} end
return {'OK', audit_append(KEYS[1], KEYS[4], a.audit, 5, a.mirror and KEYS[2], KEYS[3], a.subject)}
`;

/**
 * Takes a subject's delivery lock and reads what it owes, in one round trip.
 * KEYS: 1 lock, 2 outbox, 3 delivered marks. ARGV[1]: { token, ttlMs }.
 * Answers 'HELD' when another holder has the lock; {} when nothing is owed (the lock is not
 * taken); else { items, marks } (marks flat: name, value, ...), holding the lock.
 */
export const OUTBOX_CLAIM = `${COMMON}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'HELD' end
local items = redis.call('LRANGE', KEYS[2], 0, -1)
if #items == 0 then return {} end
redis.call('SET', KEYS[1], a.token, 'PX', a.ttlMs)
return {items, redis.call('HGETALL', KEYS[3])}
`;

/**
 * KEYS: 1 outbox, 2 outbox index, 3 delivered marks, 4 delivery lock.
 * ARGV[1]: { item, subject, token, mark?, value?, ttl? }.
 * Removes a delivered item and, in the same step, records the mark that says what it left (a DM's
 * ts, the audit thread). Answers how many items the subject still owes; at none, releases the
 * lock (while it is still this holder's).
 */
export const OUTBOX_DONE = `${COMMON}
redis.call('LREM', KEYS[1], 1, a.item)
if a.mark then
  redis.call('HSET', KEYS[3], a.mark, a.value)
  redis.call('EXPIRE', KEYS[3], a.ttl)
end
local left = redis.call('LLEN', KEYS[1])
if left == 0 then
  redis.call('ZREM', KEYS[2], a.subject)
  if redis.call('GET', KEYS[4]) == a.token then redis.call('DEL', KEYS[4]) end
end
return left
`;

/**
 * One page of the audit trail through its indexes, in one round trip (reads only).
 * KEYS: 1 stream, 2.. index sorted sets (score = entry ms) to merge.
 * ARGV[1]: { limit, before? (stream id, exclusive), sinceMs }
 * Answers ONE JSON string { entries, next }: the newest `limit` entries filed under any index,
 * newest first, each [id, [field, value, ...]] as XRANGE gives it (an empty page encodes as {});
 * `next` = the last id of the page when older ones exist, else false. One string instead of ~500
 * bulk strings halves what the page costs to send and to parse. Entries sharing the cursor's
 * millisecond are read past exactly, however many.
 */
export const AUDIT_PAGE = `${COMMON}
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return {tonumber(ms), tonumber(seq), id, ms}
end
local function newer(x, y) return x[1] > y[1] or (x[1] == y[1] and x[2] > y[2]) end
local before = a.before and parse(a.before)
local batch_size = a.limit + 1
local seen, ids = {}, {}
local function take(id)
  local p = parse(id)
  if before and not newer(before, p) then return nil end
  if not seen[id] then seen[id] = true; ids[#ids + 1] = p end
  return p
end
for k = 2, #KEYS do
  local offset, taken, last_ms = 0, 0, nil
  while taken < batch_size do
    local batch = redis.call('ZREVRANGEBYSCORE', KEYS[k], before and before[4] or '+inf', string.format('%d', a.sinceMs), 'LIMIT', offset, batch_size)
    for _, id in ipairs(batch) do
      local p = take(id)
      if p then taken = taken + 1; last_ms = p[4] end
    end
    if #batch < batch_size then last_ms = nil; break end
    offset = offset + #batch
  end
  -- One score's members come in reverse lexicographic order ('5-9' before '5-10'), not by id:
  -- read all of the millisecond the batch ended in, so the page's last entries are the right ones.
  if last_ms then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[k], last_ms, last_ms)) do take(id) end
  end
end
table.sort(ids, newer)
local entries = {}
for i = 1, math.min(#ids, a.limit) do
  local rows = redis.call('XRANGE', KEYS[1], ids[i][3], ids[i][3])
  if rows[1] then entries[#entries + 1] = rows[1] end
end
return cjson.encode({entries = entries, next = #ids > a.limit and ids[a.limit][3]})
`;
