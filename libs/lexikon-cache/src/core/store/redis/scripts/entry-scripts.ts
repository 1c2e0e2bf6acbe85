import { LUA_COMMON } from './lua-common.js';

/** A server-side script, run by `ScriptRunner` with EVALSHA (EVAL when a server lacks it); `name` is a label. */
export interface StoreScript {
  readonly name: string;
  readonly lua: string;
}

export function script(name: string, body: string): StoreScript {
  return { name: `lexikon_${name}`, lua: LUA_COMMON + body };
}

/** Reply codes of READ when it returns no payload. */
export const READ_MISS = 0;
export const READ_LEASED = 1;
export const READ_HELD = 2;
export const READ_CORRUPT_LEASED = 3;
export const READ_HANDBACK = 4;
export const READ_DETAILED = 5;
export const READ_OUTLIVED = 6;
export const READ_OUTLIVED_LEASED = 7;

/**
 * KEYS: entry, sequence, tag keys...   ARGV: lease ms ('0': none), token,
 * mode ('c' in a cluster: tagged entries are handed back whole, and a lease
 * is taken without versions, which the client reads from the tags' node and
 * stamps into it with LEASE_STAMP).
 * Returns the payload (hit), or {code, ...}:
 *   {0} miss; {1|3, since, versions...} lease granted under the token
 *   (3: a corrupt value was deleted); {2, holder token, its stamped
 *   versions}; {4, whole entry, its ttl ms}. A lease stamped with versions
 *   some tag has since left is stale (its loader read old data): the
 *   reader takes it over. With ARGV[4] 'd' (for the in-process tier), a hit
 *   is {5, payload, its ttl ms, its tag keys...} (a counter stays a bare
 *   value: it is never kept in process).
 * With ARGV[5] > 0 (a grace period, ms), an entry with at most that long
 * left, or behind a soft invalidation (ttl read as at most the grace), has
 * outlived its TTL: {6, payload, ttl ms} without a lease, or
 * {7, payload, ttl ms, since, versions...} with one that keeps the entry
 * (after a NUL) for the loader to put back if it fails; the holder reply of
 * such a lease is {2, holder, stamped, kept entry}.
 */
export const READ = script(
  'read',
  `
local lease_ms = ARGV[1]
local cluster = ARGV[3] == 'c'
local detail = ARGV[4] == 'd'
local grace = tonumber(ARGV[5] or '0')
-- kept: an outlived entry the lease carries, and head: what precedes the lease's reply
local function take(code, kept, head)
  if lease_ms == '0' then return {code == 3 and 3 or 0} end
  local tail = kept and ('\\0' .. kept) or ''
  local out = head or {code}
  if cluster then
    redis.call('SET', KEYS[1], 'L' .. ARGV[2] .. '\\n' .. tail, 'PX', lease_ms)
    return out
  end
  local vs = {}
  for i = 3, #KEYS do vs[#vs + 1] = tag_current(KEYS[i], KEYS[2], lease_ms) end
  redis.call('SET', KEYS[1], 'L' .. ARGV[2] .. '\\n' .. table.concat(vs, '\\n') .. tail, 'PX', lease_ms)
  out[#out + 1] = seq_now(KEYS[2])
  for i = 1, #vs do out[#out + 1] = vs[i] end
  return out
end
local v = redis.call('GET', KEYS[1])
if not v then return take(1) end
local kind = string.sub(v, 1, 1)
if kind == 'E' then
  local tags = detail and {} or nil
  local payload, soft = parse_entry(v, cluster, tags, grace > 0)
  if payload and grace > 0 then
    local left = redis.call('PTTL', KEYS[1])
    if soft or left <= grace then
      if left > grace then left = grace end
      if lease_ms == '0' then return {6, payload, left} end
      return take(7, v, {7, payload, left})
    end
  end
  if payload then
    if not detail then return payload end
    local out = {5, payload, redis.call('PTTL', KEYS[1])}
    for i = 1, #tags do out[#out + 1] = tags[i] end
    return out
  end
  if payload == nil then
    redis.call('DEL', KEYS[1])
    return take(3)
  end
  if cluster then return {4, v, redis.call('PTTL', KEYS[1])} end
  return take(1)
elseif kind == 'L' then
  if lease_ms == '0' then return {0} end
  local nl = string.find(v, '\\n', 2, true) or (#v + 1)
  local stamped = string.sub(v, nl + 1)
  local kept = false
  local z = string.find(stamped, '\\0', 1, true)
  if z then
    kept = string.sub(stamped, z + 1)
    stamped = string.sub(stamped, 1, z - 1)
  end
  if not cluster then
    local cur = {}
    for i = 3, #KEYS do cur[#cur + 1] = redis.call('GET', KEYS[i]) or '' end
    if stamped ~= table.concat(cur, '\\n') then return take(1) end
  end
  if kept then return {2, string.sub(v, 2, nl - 1), stamped, kept} end
  return {2, string.sub(v, 2, nl - 1), stamped}
elseif is_counter(v) then
  return v
end
redis.call('DEL', KEYS[1])
return take(3)
`,
);

/**
 * KEYS: entry, sequence, early tag keys..., late tag keys...
 * ARGV: token, ttl ms, payload, number of early tags, since, then one
 * stamped version per early tag. Stores the stamped entry only while the
 * lease is held, every early tag still has its stamped version and no late
 * tag was bumped since the lease; else the lease is given back. 1 if stored.
 */
export const FILL = script(
  'fill',
  `
if not holds(KEYS[1], ARGV[1]) then return 0 end
local ttl = ARGV[2]
local n_early = tonumber(ARGV[4])
local parts = {'E', tostring(#KEYS - 2), '\\n'}
for i = 3, #KEYS do
  local cur
  if i - 2 <= n_early then
    cur = redis.call('GET', KEYS[i])
    if cur ~= ARGV[5 + i - 2] then redis.call('DEL', KEYS[1]) return 0 end
    extend(KEYS[i], ttl)
  else
    cur = tag_current(KEYS[i], KEYS[2], ttl)
    if newer(cur, ARGV[5]) then redis.call('DEL', KEYS[1]) return 0 end
  end
  parts[#parts + 1] = KEYS[i] .. '\\n' .. cur .. '\\n'
end
parts[#parts + 1] = ARGV[3]
redis.call('SET', KEYS[1], table.concat(parts), 'PX', ttl)
return 1
`,
);

/** KEYS: entry   ARGV: token, ttl ms, stamped entry. The cluster's fill, once the tags' node agreed. */
export const FILL_STAMPED = script(
  'fill_stamped',
  `
if not holds(KEYS[1], ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
`,
);

/** KEYS: entry   ARGV: token. Deletes the key only while it holds that lease. */
export const RELEASE = script(
  'release',
  `
if holds(KEYS[1], ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 0
`,
);

/** KEYS: entry   ARGV: token, ms. Keeps a lease alive; 1 while it is held. */
export const EXTEND = script(
  'extend',
  `
if not holds(KEYS[1], ARGV[1]) then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`,
);

/**
 * KEYS: entry   ARGV: token, versions (newline-separated). In a cluster,
 * records a lease's versions once known (keeping an outlived entry it carries).
 */
export const LEASE_STAMP = script(
  'lease_stamp',
  `
if not holds(KEYS[1], ARGV[1]) then return 0 end
local v = redis.call('GET', KEYS[1])
local z = string.find(v, '\\0', 1, true)
local tail = z and string.sub(v, z) or ''
redis.call('SET', KEYS[1], 'L' .. ARGV[1] .. '\\n' .. ARGV[2] .. tail, 'KEEPTTL')
return 1
`,
);

/**
 * KEYS: entry   ARGV: sha1 of the value read, token, lease ms, '1' to keep
 * the value in the lease (an outlived entry). In a cluster, replaces an
 * entry (or a lease) the client found stale or outlived by a lease of its
 * own, unless it changed meanwhile.
 */
export const LEASE_IF_UNCHANGED = script(
  'lease_if_unchanged',
  `
local v = redis.call('GET', KEYS[1])
if not v or redis.sha1hex(v) ~= ARGV[1] then return 0 end
local tail = ARGV[4] == '1' and ('\\0' .. v) or ''
redis.call('SET', KEYS[1], 'L' .. ARGV[2] .. '\\n' .. tail, 'PX', ARGV[3])
return 1
`,
);

/**
 * KEYS: entry   ARGV: token, ttl ms ('0': only look), mode ('c': tagged
 * entries are handed back). For a loader that failed under a lease that
 * keeps an outlived entry: 1 when that entry may still be served (the lease
 * is held, so no delete reached the key, and its tags are current or behind
 * soft invalidations only), and then
 * with a ttl it is put back in the lease's place; 0 when not (the key is
 * cleared then, if it was to be put back); {the lease's value} in a
 * cluster when the entry is tagged, for the client to check its tags.
 */
export const KEPT = script(
  'kept',
  `
if not holds(KEYS[1], ARGV[1]) then return 0 end
local v = redis.call('GET', KEYS[1])
local z = string.find(v, '\\0', 1, true)
if not z then return 0 end
local entry = string.sub(v, z + 1)
local payload = parse_entry(entry, ARGV[3] == 'c', nil, true)
if payload == false and ARGV[3] == 'c' then return {v} end
if not payload then
  if ARGV[2] ~= '0' then redis.call('DEL', KEYS[1]) end
  return 0
end
if ARGV[2] ~= '0' then redis.call('SET', KEYS[1], entry, 'PX', ARGV[2]) end
return 1
`,
);

/** KEYS: entry   ARGV: sha1 of the value read, value, ttl ms. Sets the key unless it changed meanwhile. */
export const SET_IF_UNCHANGED = script(
  'set_if_unchanged',
  `
local v = redis.call('GET', KEYS[1])
if not v or redis.sha1hex(v) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`,
);

/**
 * KEYS: entry, sequence, tag keys...   ARGV: ttl ms, payload.
 * Stores the payload stamped with the tags' current versions.
 */
export const WRITE_TAGGED = script(
  'write_tagged',
  `
local parts = {'E', tostring(#KEYS - 2), '\\n'}
for i = 3, #KEYS do
  parts[#parts + 1] = KEYS[i] .. '\\n' .. tag_current(KEYS[i], KEYS[2], ARGV[1]) .. '\\n'
end
parts[#parts + 1] = ARGV[2]
redis.call('SET', KEYS[1], table.concat(parts), 'PX', ARGV[1])
return 1
`,
);

/** KEYS: entries...   Per key, the payload or false (tags checked; corrupt values deleted). */
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

/** KEYS: counter   ARGV: increment, ttl ms. The new value, or {err} when the key holds something else. */
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
