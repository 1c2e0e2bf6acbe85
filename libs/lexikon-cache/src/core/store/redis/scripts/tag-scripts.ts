import { script } from './entry-scripts.js';

/**
 * KEYS: sequence, tag keys...   ARGV: one letter per tag, 's' for a soft
 * bump ('h' or none: hard). Gives every tag that has a version the next
 * number of the sequence (keeping its TTL); a soft bump gives it as the
 * version's soft part. A tag without one needs none: missing already reads
 * as the current number, newer than any lease.
 */
export const BUMP = script(
  'bump',
  `
local v = seq_next(KEYS[1])
local modes = ARGV[1] or ''
for i = 2, #KEYS do
  local cur = redis.call('GET', KEYS[i])
  if cur then
    if string.sub(modes, i - 1, i - 1) == 's' then
      cur = string.match(cur, '^[^~]*') .. '~' .. v
    else
      cur = v
    end
    redis.call('SET', KEYS[i], cur, 'KEEPTTL')
  end
end
return #KEYS - 1
`,
);

/**
 * KEYS: sequence, tag keys...   ARGV: ttl ms ('0': read only).
 * Returns {since, versions...}; read only, a missing tag is false, else it
 * is created at the current number. The cluster's read of the tags' node.
 */
export const TAGS = script(
  'tags',
  `
local ttl = ARGV[1]
local out = {seq_now(KEYS[1])}
for i = 2, #KEYS do
  if ttl == '0' then
    out[#out + 1] = redis.call('GET', KEYS[i]) or false
  else
    out[#out + 1] = tag_current(KEYS[i], KEYS[1], ttl)
  end
end
return out
`,
);

/**
 * KEYS: sequence, early tag keys..., late tag keys...
 * ARGV: since, ttl ms, number of early tags, stamped versions of the early tags...
 * The cluster's fill check on the tags' node (see FILL). Returns {1,
 * versions...} of every tag, TTLs kept to the entry's, or {0}.
 */
export const TAG_CHECK = script(
  'tag_check',
  `
local ttl = ARGV[2]
local n_early = tonumber(ARGV[3])
local out = {1}
for i = 2, #KEYS do
  local cur
  if i - 1 <= n_early then
    cur = redis.call('GET', KEYS[i])
    if cur ~= ARGV[3 + i - 1] then return {0} end
    extend(KEYS[i], ttl)
  else
    cur = tag_current(KEYS[i], KEYS[1], ttl)
    if newer(cur, ARGV[1]) then return {0} end
  end
  out[#out + 1] = cur
end
return out
`,
);
