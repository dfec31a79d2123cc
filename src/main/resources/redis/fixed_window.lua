-- Fixed window (org.fossinfra.ratelimit.FixedWindow): at most ARGV[4] requests per window of ARGV[5] ms, a key's
-- window starting at its first request. Atomic: Redis runs a script to the end before anything else.
--   KEYS[1]  a hash {s = window start (ms), n = requests admitted in it}
--   KEYS[2]  the rule's key index: a sorted set of its keys, scored by when each expires (ms)
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  the rule's key budget: the most keys it may hold at once (its size)
--   ARGV[3]  the longest any key of the rule lives, in ms (the window)
--   ARGV[4]  limit
--   ARGV[5]  window in ms
-- Returns {1, remaining, 0, new} when admitted, {0, 0, retry-after ms, 0} when not (a refused request is not
-- counted), and {0, 0, 0, 2} when the key is new and the rule already holds its budget of keys: nothing is written.
-- new is 1 when this call made the key. Keys and index expire by themselves, so an idle client leaves nothing behind.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Room for one more key: fewer than the budget alive. Expired entries leave the index only when it is full, so
-- the common case costs one ZCARD.
local function room()
  local budget = tonumber(ARGV[2])
  if redis.call('ZCARD', KEYS[2]) < budget then
    return true
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  return redis.call('ZCARD', KEYS[2]) < budget or redis.call('ZSCORE', KEYS[2], KEYS[1]) ~= false
end

-- The key lives until expires (ms): its index entry says so, rounded up to a 64th of ARGV[3], so that most calls
-- find the entry unchanged (no reordering, no PEXPIRE of the index); a key counts at most that much longer than it
-- lives. The index outlives every entry in it.
local function track(expires)
  local step = math.max(1, math.floor(tonumber(ARGV[3]) / 64))
  if redis.call('ZADD', KEYS[2], 'CH', math.ceil(expires / step) * step, KEYS[1]) == 1 then
    redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) + step)
  end
end

local limit = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local w = redis.call('HMGET', KEYS[1], 's', 'n')
local start = tonumber(w[1])
local count = tonumber(w[2])
local new = 0
if not start or not count then
  if not room() then
    return {0, 0, 0, 2}
  end
  new = 1
  start = now
  count = 0
elseif now - start >= window then
  start = now
  count = 0
end
if count < limit then
  count = count + 1
  local ttl = math.max(1, start + window - now)
  redis.call('HSET', KEYS[1], 's', start, 'n', count)
  redis.call('PEXPIRE', KEYS[1], ttl)
  if count == 1 then
    -- A window begins: the key's expiry moves only now.
    track(now + ttl)
  end
  return {1, limit - count, 0, new}
end
return {0, 0, math.max(1, start + window - now), 0}
