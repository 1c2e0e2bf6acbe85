import { script } from './entry-scripts.js';

/**
 * KEYS: one per op.   ARGV: per op, its code and arguments:
 *   g (get) | x (exists) | d (delete) | s ttl payload (set) |
 *   i by ttl (increment) | e ttl (expire)
 * Returns one reply per op, {1, value} or {0, message}: a failing op never
 * aborts the rest, and the whole batch runs atomically.
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
