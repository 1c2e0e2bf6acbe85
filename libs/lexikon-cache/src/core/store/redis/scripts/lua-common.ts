/**
 * Lua shared by the store's scripts. Stored values:
 *   entry    E<n>\n(<tag key>\n<version>\n){n}<payload>
 *   lease    L<token>\n<versions of the entry's tags when taken, \n-separated>
 *   counter  a bare integer (INCRBY)
 * Anything else is corrupt: it is deleted and read as a miss.
 *
 * Tag versions are `<epoch>:<n>` from one sequence key in the tags' slot:
 * a bump takes the next number, a missing tag the current one; the epoch
 * (that node's TIME when the sequence was created) changes only when the
 * sequence itself was lost, and then every comparison across it refuses.
 * A soft invalidation makes a version `<hard version>~<soft version>` (see
 * `tag-stamps.ts`): an entry behind it by soft parts only is outdated, yet
 * servable within its grace.
 */
export const SEQUENCE_TTL_MS = 86_400_000;

export const LUA_COMMON = `
local SEQ_TTL = ${SEQUENCE_TTL_MS}

local function seq_now(seq_key)
  local s = redis.call('GET', seq_key)
  if s and string.find(s, '^.+:%d+$') then return s end
  local t = redis.call('TIME')
  s = t[1] .. '.' .. t[2] .. ':0'
  redis.call('SET', seq_key, s, 'PX', SEQ_TTL)
  return s
end

local function seq_next(seq_key)
  local e, n = string.match(seq_now(seq_key), '^(.+):(%d+)$')
  local v = e .. ':' .. (tonumber(n) + 1)
  redis.call('SET', seq_key, v, 'PX', SEQ_TTL)
  return v
end

-- whether a tag's version was given after 'since' (across epochs: assume so)
local function newer(v, since)
  local e1, n1 = string.match(string.match(v, '[^~]*$'), '^(.+):(%d+)$')
  local e2, n2 = string.match(since, '^(.+):(%d+)$')
  if not e1 or not e2 or e1 ~= e2 then return true end
  return tonumber(n1) > tonumber(n2)
end

local function extend(key, ttl)
  local left = redis.call('PTTL', key)
  if left >= 0 and left < tonumber(ttl) then redis.call('PEXPIRE', key, ttl) end
end

-- a tag's version, created at the current number when missing, kept ttl ms at least
local function tag_current(tag_key, seq_key, ttl)
  local v = redis.call('GET', tag_key)
  if not v then
    v = seq_now(seq_key)
    redis.call('SET', tag_key, v, 'PX', ttl)
  else
    extend(tag_key, ttl)
  end
  return v
end

-- whether a tag's version differs from an entry's stamp by soft bumps only
local function soft_only(cur, stamp)
  return cur and string.find(cur, '~', 1, true) ~= nil
    and string.match(cur, '^[^~]*') == string.match(stamp, '^[^~]*')
end

-- payload of a well-formed entry whose stamped tags are current; false when
-- stale (or, with handback, tagged: for the client to check); nil when
-- corrupt. With a table of tags, the entry's tag keys are added to it.
-- With soft_ok, an entry behind soft bumps only is returned too, with true.
local function parse_entry(v, handback, tags, soft_ok)
  local nl = string.find(v, '\\n', 2, true)
  if not nl then return nil end
  local n = tonumber(string.sub(v, 2, nl - 1))
  if not n then return nil end
  if n > 0 and handback then return false end
  local pos = nl + 1
  local soft = false
  for i = 1, n do
    local a = string.find(v, '\\n', pos, true)
    if not a then return nil end
    local b = string.find(v, '\\n', a + 1, true)
    if not b then return nil end
    local tag = string.sub(v, pos, a - 1)
    local cur = redis.call('GET', tag)
    if cur ~= string.sub(v, a + 1, b - 1) then
      if not (soft_ok and soft_only(cur, string.sub(v, a + 1, b - 1))) then
        return false
      end
      soft = true
    end
    if tags then tags[#tags + 1] = tag end
    pos = b + 1
  end
  return string.sub(v, pos), soft
end

-- whether the key holds the lease of this token
local function holds(key, token)
  local v = redis.call('GET', key)
  local expect = 'L' .. token .. '\\n'
  return v and string.sub(v, 1, #expect) == expect
end

local function is_counter(v)
  return string.match(v, '^%-?%d+$') ~= nil
end

-- an entry's payload without a lease (tags checked here); false for a miss,
-- a lease or a stale entry; a corrupt value is deleted
local function peek(key)
  local v = redis.call('GET', key)
  if not v then return false end
  local kind = string.sub(v, 1, 1)
  if kind == 'E' then
    local payload = parse_entry(v, false)
    if payload == nil then redis.call('DEL', key) return false end
    return payload
  end
  if is_counter(v) then return v end
  if kind ~= 'L' then redis.call('DEL', key) end
  return false
end
`;
