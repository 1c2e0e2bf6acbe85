import { createHash } from 'node:crypto';

/**
 * Server-side scripts of the Redis store. Each runs atomically, so reading an
 * entry, checking its tag stamp and taking a lease cost one round trip.
 *
 * Stored values:
 *   entry    E<n>\n(<tag key>\n<version>\n){n}<payload>
 *   lease    L<token>\n<versions of the reader's tags, \n-separated>
 *   counter  a bare integer (INCRBY)
 * Anything else is corrupt: it is deleted and read as a miss.
 */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, body: string): LuaScript {
  const lua = COMMON + body;
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

// `check_tags` is 1 on a standalone server; in a cluster the tag keys live in
// another slot, so a tagged entry is handed back whole for the client to check.
const COMMON = `
local function parse_entry(v, check_tags)
  local nl = string.find(v, '\\n', 2, true)
  if not nl then return nil end
  local n = tonumber(string.sub(v, 2, nl - 1))
  if not n then return nil end
  if n > 0 and not check_tags then return false, true end
  local pos = nl + 1
  for i = 1, n do
    local a = string.find(v, '\\n', pos, true)
    if not a then return nil end
    local b = string.find(v, '\\n', a + 1, true)
    if not b then return nil end
    if redis.call('GET', string.sub(v, pos, a - 1)) ~= string.sub(v, a + 1, b - 1) then
      return false
    end
    pos = b + 1
  end
  return string.sub(v, pos)
end

local function is_counter(v)
  return string.match(v, '^%-?%d+$') ~= nil
end

-- an entry's payload without a lease (tags checked on this server); false
-- for a miss, a lease or a stale entry; a corrupt value is deleted
local function peek(key)
  local v = redis.call('GET', key)
  if not v then return false end
  local kind = string.sub(v, 1, 1)
  if kind == 'E' then
    local payload = parse_entry(v, true)
    if payload == nil then redis.call('DEL', key) return false end
    return payload
  end
  if is_counter(v) then return v end
  if kind ~= 'L' then redis.call('DEL', key) end
  return false
end

-- Versions and lease tokens start with the server time (s.us): a fill can
-- then tell whether a tag was bumped ('b') after its lease was taken, rather
-- than merely created ('c').
local seq = 0
local function fresh_version(seed, kind)
  local t = redis.call('TIME')
  seq = seq + 1
  return t[1] .. '.' .. t[2] .. '.' .. kind .. seed .. seq
end

local function micros(v)
  local s, us = string.match(v, '^(%d+)%.(%d+)%.')
  if not s then return nil end
  return tonumber(s) * 1000000 + tonumber(us)
end

local function current_versions(first, seed, tag_ttl)
  local out = {}
  for i = first, #KEYS do
    local cur = redis.call('GET', KEYS[i])
    if not cur then
      cur = fresh_version(seed, 'c')
      redis.call('SET', KEYS[i], cur, 'EX', tag_ttl)
    end
    out[#out + 1] = cur
  end
  return out
end
`;

/**
 * KEYS: entry, tag keys...   ARGV: lease ms ('0' = no lease), token seed,
 * check tags ('0' in a cluster, else omitted), tag TTL (s, only with tags).
 * Returns the payload (hit), or {code, token|'', versions...}:
 *   0 miss, no lease; 1 miss, lease granted; 2 another caller holds the lease;
 *   3 the entry was corrupt (deleted), lease granted when asked;
 *   4 tagged entry for the client to check (cluster): {4, whole value}.
 */
export const READ = script(
  'read',
  `
local lease_ms = ARGV[1]
local check = ARGV[3] ~= '0'
local function take_lease(code)
  if lease_ms == '0' then return {code == 3 and 3 or 0, ''} end
  local vs = current_versions(2, ARGV[2], ARGV[4])
  local token = fresh_version(ARGV[2], 'l')
  redis.call('SET', KEYS[1], 'L' .. token .. '\\n' .. table.concat(vs, '\\n'), 'PX', lease_ms)
  return {code, token, unpack(vs)}
end
local v = redis.call('GET', KEYS[1])
if not v then return take_lease(1) end
local kind = string.sub(v, 1, 1)
if kind == 'E' then
  local payload, handback = parse_entry(v, check)
  if payload then return payload end
  if handback then return {4, v} end
  if payload == nil then
    redis.call('DEL', KEYS[1])
    return take_lease(3)
  end
  return take_lease(1)
elseif kind == 'L' then
  if lease_ms == '0' then return {0, ''} end
  local nl = string.find(v, '\\n', 2, true) or (#v + 1)
  local vs = current_versions(2, ARGV[2], ARGV[4])
  if string.sub(v, nl + 1) ~= table.concat(vs, '\\n') then
    return take_lease(1)
  end
  return {2, string.sub(v, 2, nl - 1), unpack(vs)}
elseif is_counter(v) then
  return v
end
redis.call('DEL', KEYS[1])
return take_lease(3)
`,
);

/**
 * KEYS: entry, tag keys...   ARGV: lease token, ttl ms, payload, mode, token
 * seed, tag TTL (s), then one version per tag: the one stamped before
 * loading, or '' for a tag learnt from the loaded value. Mode '0' (cluster):
 * KEYS is the entry alone and the payload is the whole stamped entry.
 * Stores the payload stamped with its tags, only while the lease is held and
 * no tag moved on since it was taken. Returns 1 when stored, else 0.
 */
export const FILL = script(
  'fill',
  `
local v = redis.call('GET', KEYS[1])
local expect = 'L' .. ARGV[1] .. '\\n'
if not v or string.sub(v, 1, #expect) ~= expect then return 0 end
if ARGV[4] == '0' then
  -- cluster: the client checked the tags and sends the stamped entry
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
  return 1
end
local check = true
local leased_at = micros(ARGV[1]) or 0
local parts = {'E', tostring(#KEYS - 1), '\\n'}
for i = 2, #KEYS do
  local stamped = ARGV[i + 5]
  local cur = stamped
  if check then cur = redis.call('GET', KEYS[i]) end
  if stamped == '' and check then
    if not cur then
      cur = fresh_version(ARGV[5], 'c')
      redis.call('SET', KEYS[i], cur, 'EX', ARGV[6])
    elseif string.find(cur, '^%d+%.%d+%.b') and (micros(cur) or 0) >= leased_at then
      redis.call('DEL', KEYS[1])
      return 0
    end
  elseif cur ~= stamped then
    redis.call('DEL', KEYS[1])
    return 0
  end
  parts[#parts + 1] = KEYS[i] .. '\\n' .. cur .. '\\n'
end
parts[#parts + 1] = ARGV[3]
redis.call('SET', KEYS[1], table.concat(parts), 'PX', ARGV[2])
return 1
`,
);

/**
 * KEYS: tag keys   ARGV: token seed, tag TTL (s).
 * Gives every tag a new, time-ordered version.
 */
export const BUMP = script(
  'bump',
  `
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], fresh_version(ARGV[1], 'b'), 'EX', ARGV[2])
end
return #KEYS
`,
);

/** KEYS: entry   ARGV: lease token. Deletes the key only while it holds that lease. */
export const RELEASE = script(
  'release',
  `
local v = redis.call('GET', KEYS[1])
local expect = 'L' .. ARGV[1] .. '\\n'
if v and string.sub(v, 1, #expect) == expect then redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * KEYS: entry, tag keys...   ARGV: ttl ms, payload, token seed, tag TTL (s).
 * Stores the payload stamped with the tags' current versions.
 */
export const WRITE_TAGGED = script(
  'write_tagged',
  `
local vs = current_versions(2, ARGV[3], ARGV[4])
local parts = {'E', tostring(#vs), '\\n'}
for i = 1, #vs do
  parts[#parts + 1] = KEYS[i + 1] .. '\\n' .. vs[i] .. '\\n'
end
parts[#parts + 1] = ARGV[2]
redis.call('SET', KEYS[1], table.concat(parts), 'PX', ARGV[1])
return 1
`,
);

/**
 * KEYS: entries...   Returns, per key, the payload or false; corrupt entries
 * are deleted. Tagged entries are checked against their tags' versions.
 */
export const READ_MANY = script(
  'read_many',
  `
local out = {}
for i = 1, #KEYS do out[i] = peek(KEYS[i]) end
return out
`,
);

/** KEYS: entries...   ARGV: ttl ms, payloads (one per key). Stores untagged entries. */
export const WRITE_MANY = script(
  'write_many',
  `
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], 'E0\\n' .. ARGV[i + 1], 'PX', ARGV[1])
end
return #KEYS
`,
);

/**
 * KEYS: counter   ARGV: increment, ttl ms.
 * Returns the new value, or {err} when the key holds something else.
 */
export const INCREMENT = script(
  'increment',
  `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 1) == 'L' then redis.call('DEL', KEYS[1]) end
local r = redis.pcall('INCRBY', KEYS[1], ARGV[1])
if type(r) == 'table' and r.err then return r end
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return r
`,
);

/**
 * KEYS: one per op.   ARGV: per op, its code and arguments:
 *   g (get) | x (exists) | d (delete) | s ttl payload (set) |
 *   i by ttl (increment) | e ttl (expire)
 * Returns one reply per op; a failing op yields {err = message}, never aborting the rest.
 */
export const BATCH = script(
  'batch',
  `
local out = {}
local a = 1
for i = 1, #KEYS do
  local op = ARGV[a]
  local key = KEYS[i]
  local ok, r = pcall(function()
    if op == 'g' then a = a + 1 return peek(key)
    elseif op == 'x' then a = a + 1 return peek(key) and 1 or 0
    elseif op == 'd' then a = a + 1 return redis.call('DEL', key)
    elseif op == 's' then
      redis.call('SET', key, 'E0\\n' .. ARGV[a + 2], 'PX', ARGV[a + 1])
      a = a + 3
      return 1
    elseif op == 'i' then
      local by, ttl = ARGV[a + 1], ARGV[a + 2]
      a = a + 3
      local cur = redis.call('GET', key)
      if cur and not is_counter(cur) then
        if string.sub(cur, 1, 1) ~= 'L' then
          return {err = 'WRONGTYPE the entry does not hold an integer counter'}
        end
        redis.call('DEL', key)
      end
      local n = redis.call('INCRBY', key, by)
      if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ttl) end
      return n
    elseif op == 'e' then
      local ttl = ARGV[a + 1]
      a = a + 2
      return redis.call('PEXPIRE', key, ttl)
    end
    return {err = 'unknown batch op ' .. tostring(op)}
  end)
  if ok then
    if type(r) == 'table' and r.err then out[i] = {0, r.err} else out[i] = {1, r} end
  else
    out[i] = {0, tostring(r)}
  end
end
return out
`,
);

export const ALL_SCRIPTS: readonly LuaScript[] = [
  READ,
  FILL,
  BUMP,
  RELEASE,
  WRITE_TAGGED,
  READ_MANY,
  WRITE_MANY,
  INCREMENT,
  BATCH,
];
