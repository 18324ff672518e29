/**
 * Lua scripts: each one is a single atomic step that changes state AND appends its audit entry,
 * so there is never a state change without its audit line, nor an audit line for a change that
 * did not happen. ioredis's defineCommand re-sends the body with EVAL after NOSCRIPT (restart).
 *
 * Audit entries are passed as a JSON array [k1, v1, k2, v2, ...] so field order is kept.
 * Index keys (sorted sets, score = entry time in ms) let reviews find entries per request,
 * user and key without scanning the stream.
 */
const AUDIT_APPEND = `
local function audit_append(stream, pairs_json, first_index, last_index)
  local pairs = cjson.decode(pairs_json)
  local id = redis.call('XADD', stream, '*', unpack(pairs))
  local ms = tonumber(string.match(id, '^(%d+)'))
  for i = first_index, last_index do
    redis.call('ZADD', KEYS[i], ms, id)
  end
  return id
end
`;

/**
 * KEYS: request, open set, pending names, registry names, pending keys, requester's requests,
 *       stream, index keys...
 * ARGV: id, reserved name ('' for none), now ms, request fields JSON pairs, audit pairs JSON,
 *       key uuid that must have no other open request ('' for none)
 */
export const CREATE_REQUEST = `${AUDIT_APPEND}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'EXISTS'} end
local name = ARGV[2]
if name ~= '' then
  if redis.call('HEXISTS', KEYS[4], name) == 1 or redis.call('HEXISTS', KEYS[3], name) == 1 then
    return {'NAME_TAKEN'}
  end
end
local uuid = ARGV[6]
if uuid ~= '' then
  local holder = redis.call('HGET', KEYS[5], uuid)
  if holder then return {'KEY_BUSY', holder} end
  redis.call('HSET', KEYS[5], uuid, ARGV[1])
end
if name ~= '' then redis.call('HSET', KEYS[3], name, ARGV[1]) end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[4])))
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[1])
redis.call('ZADD', KEYS[6], tonumber(ARGV[3]), ARGV[1])
local id = audit_append(KEYS[7], ARGV[5], 8, #KEYS)
return {'OK', id}
`;

/**
 * KEYS: request, open set, pending names, registry, registry names, pending keys, stream, index keys...
 * ARGV: allowed source states (comma list), new state, actor id, forbid self ('1'/'0'),
 *       terminal ('1'/'0'), patch pairs JSON, audit pairs JSON ('' for none),
 *       registry uuid ('' for none), registry record JSON, registry name, previous registry name
 */
export const TRANSITION = `${AUDIT_APPEND}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'NOT_FOUND'} end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state then allowed = true end
end
if not allowed then
  return {'STATE', state, redis.call('HGET', KEYS[1], 'approverId') or ''}
end
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'requesterId') == ARGV[3] then
  return {'SELF'}
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', ARGV[2])
local patch = cjson.decode(ARGV[6])
if #patch > 0 then redis.call('HSET', KEYS[1], unpack(patch)) end
if ARGV[5] == '1' then
  local id = redis.call('HGET', KEYS[1], 'id')
  redis.call('ZREM', KEYS[2], id)
  local name = redis.call('HGET', KEYS[1], 'keyName')
  if name and redis.call('HGET', KEYS[3], name) == id then redis.call('HDEL', KEYS[3], name) end
  local uuid = redis.call('HGET', KEYS[1], 'keyUuid')
  if uuid and redis.call('HGET', KEYS[6], uuid) == id then redis.call('HDEL', KEYS[6], uuid) end
end
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[8], ARGV[9])
  if ARGV[11] ~= '' and redis.call('HGET', KEYS[5], ARGV[11]) == ARGV[8] then redis.call('HDEL', KEYS[5], ARGV[11]) end
  if ARGV[10] ~= '' then redis.call('HSET', KEYS[5], ARGV[10], ARGV[8]) end
end
local entry = ''
if ARGV[7] ~= '' then entry = audit_append(KEYS[7], ARGV[7], 8, #KEYS) end
return {'OK', tostring(version), entry}
`;

/** KEYS: stream, index keys...  ARGV: audit pairs JSON */
export const AUDIT_ONLY = `${AUDIT_APPEND}
return audit_append(KEYS[1], ARGV[1], 2, #KEYS)
`;
