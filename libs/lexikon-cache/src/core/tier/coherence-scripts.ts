import { script } from '../store/redis/scripts/entry-scripts.js';

/*
 * The in-process tier's coherence state lives in one hash, `<prefix>{l1}`
 * (one key, so it is evicted or lost whole, never in part), on one Redis
 * node; every time below is that node's TIME, so no decision compares the
 * clocks of two machines:
 *   inc        incarnation: set when the hash is created; a new one means
 *              the state was lost (restart, eviction) and memberships with it
 *   e          the invalidation epoch, +1 per published invalidation
 *   m:<id>     a member's lease: until when (ms) it may serve its tier
 *   a:<id>     the last epoch the member applied
 * and `<prefix>{l1}:t`, epoch -> when it was published (the last 512).
 */

const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local STATE_TTL = 86400000
local function state(h, now)
  local inc = redis.call('HGET', h, 'inc')
  local fresh = false
  if not inc then
    inc = tostring(now) .. '.' .. tostring(redis.call('TIME')[2])
    redis.call('HSET', h, 'inc', inc, 'e', 0, 'born', now)
    fresh = true
  end
  redis.call('PEXPIRE', h, STATE_TTL)
  return inc, tonumber(redis.call('HGET', h, 'e')), fresh
end
`;

/**
 * KEYS: state hash   ARGV: member id, lease ms.
 * Joins (or re-joins after a resync): the member has emptied its tier, so
 * it is up to date by definition. Returns {inc, epoch}.
 */
export const JOIN = script(
  'l1_join',
  COMMON +
    `
local now = now_ms()
local inc, e = state(KEYS[1], now)
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], e, 'm:' .. ARGV[1], now + tonumber(ARGV[2]))
return {inc, tostring(e)}
`,
);

/**
 * KEYS: state hash   ARGV: member id.
 * Leaves: the member has stopped serving its tier, so writers need not wait
 * for its acknowledgement, nor for its lease to lapse.
 */
export const LEAVE = script(
  'l1_leave',
  `
redis.call('HDEL', KEYS[1], 'm:' .. ARGV[1], 'a:' .. ARGV[1])
return 1
`,
);

/**
 * KEYS: state hash, publish times   ARGV: member id, lease ms, max lag ms,
 * the incarnation the member joined.
 * Renews the lease only while the member keeps up: {'ok'}; {'resync'} when
 * the state was lost, when its lease had already lapsed (writers may have
 * stopped waiting for it), or when it never applied an epoch published more
 * than max lag ago (it missed or is stuck on a message): its lease is not
 * renewed, it must empty its tier and join again.
 */
export const RENEW = script(
  'l1_renew',
  COMMON +
    `
local now = now_ms()
local inc, e, fresh = state(KEYS[1], now)
if fresh or inc ~= ARGV[4] then return {'resync'} end
local applied = tonumber(redis.call('HGET', KEYS[1], 'a:' .. ARGV[1]) or '-1')
if applied < 0 then return {'resync'} end
if tonumber(redis.call('HGET', KEYS[1], 'm:' .. ARGV[1]) or '0') <= now then
  return {'resync'}
end
if applied < e then
  local at = redis.call('HGET', KEYS[2], tostring(applied + 1))
  if not at or now - tonumber(at) > tonumber(ARGV[3]) then return {'resync'} end
end
redis.call('HSET', KEYS[1], 'm:' .. ARGV[1], now + tonumber(ARGV[2]))
return {'ok'}
`,
);

/**
 * KEYS: state hash, publish times   ARGV: channel, message, writer id, lease ms.
 * Publishes an invalidation under the next epoch: {inc, epoch, unknown ms,
 * (member id, ms its lease has left, its applied epoch)...} for every other
 * member whose lease runs. `unknown ms` is how long, from now, members of a
 * lost state (before a restart or an eviction) may still serve without
 * being listed: the state's age short of one lease.
 */
export const PUBLISH = script(
  'l1_publish',
  COMMON +
    `
local now = now_ms()
local inc = state(KEYS[1], now)
local e = redis.call('HINCRBY', KEYS[1], 'e', 1)
redis.call('HSET', KEYS[2], tostring(e), now)
redis.call('HDEL', KEYS[2], tostring(e - 512))
redis.call('PEXPIRE', KEYS[2], STATE_TTL)
redis.call('PUBLISH', ARGV[1], inc .. ' ' .. e .. ' ' .. ARGV[2])
local born = tonumber(redis.call('HGET', KEYS[1], 'born') or '0')
local unknown = math.max(0, born + tonumber(ARGV[4]) - now)
local out = {inc, tostring(e), unknown}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, 2) == 'm:' then
    local id = string.sub(f, 3)
    local left = tonumber(all[i + 1]) - now
    if id ~= ARGV[3] and left > 0 then
      out[#out + 1] = id
      out[#out + 1] = left
      out[#out + 1] = redis.call('HGET', KEYS[1], 'a:' .. id) or '-1'
    elseif left <= -60000 then
      redis.call('HDEL', KEYS[1], f, 'a:' .. id)
    end
  end
end
return out
`,
);

/**
 * KEYS: state hash   ARGV: epoch, incarnation, member ids...
 * Of the members a writer waits for: {lost, (id, ms left)...} for those
 * that have not applied the epoch and whose lease still runs; lost is 1
 * when the incarnation changed meanwhile (then nobody can be waited for).
 */
export const CHECK = script(
  'l1_check',
  COMMON +
    `
local now = now_ms()
local inc = redis.call('HGET', KEYS[1], 'inc')
if inc ~= ARGV[2] then return {1} end
local out = {0}
for i = 3, #ARGV do
  local id = ARGV[i]
  local applied = tonumber(redis.call('HGET', KEYS[1], 'a:' .. id) or '-1')
  local until_ms = tonumber(redis.call('HGET', KEYS[1], 'm:' .. id) or '0')
  if applied < tonumber(ARGV[1]) and until_ms > now then
    out[#out + 1] = id
    out[#out + 1] = until_ms - now
  end
end
return out
`,
);

/**
 * KEYS: state hash   ARGV: member id, epoch, incarnation, ack channel.
 * Records that the member applied the epoch (never moving backwards), and
 * tells waiting writers. 0 when the incarnation changed (resync).
 */
export const ACK = script(
  'l1_ack',
  COMMON +
    `
if redis.call('HGET', KEYS[1], 'inc') ~= ARGV[3] then return 0 end
local f = 'a:' .. ARGV[1]
if tonumber(redis.call('HGET', KEYS[1], f) or '-1') < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], f, ARGV[2])
end
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. ARGV[2])
return 1
`,
);
