-- Sliding window (org.fossinfra.ratelimit.SlidingWindow): at most ARGV[4] requests in any span of ARGV[5] ms.
-- A sorted set of the admitted requests, scored by time. Each member is the time AND a suffix unique to the call
-- (ARGV[6]): the seed's script used the time alone, so two requests in the same millisecond were one member and
-- counted once.
--   KEYS[1]  the sorted set
--   KEYS[2]  the rule's key index: a sorted set of its keys, scored by when each expires (ms)
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  the rule's key budget: the most keys it may hold at once (its size)
--   ARGV[3]  the longest any key of the rule lives, in ms (the window)
--   ARGV[4]  limit
--   ARGV[5]  window in ms
--   ARGV[6]  unique to this call (node id and sequence)
-- Returns {1, remaining, 0, new} when admitted, {0, 0, retry-after ms, 0} when not (a refused request is not
-- added), and {0, 0, 0, 2} when the key is new and the rule already holds its budget of keys: nothing is written.
-- new is 1 when this call made the key. The set expires a window after its newest entry.
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
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local new = 0
if count == 0 then
  -- An empty set does not exist in Redis: this request makes the key.
  if not room() then
    return {0, 0, 0, 2}
  end
  new = 1
end
if count < limit then
  redis.call('ZADD', KEYS[1], now, string.format('%d', now) .. '-' .. ARGV[6])
  redis.call('PEXPIRE', KEYS[1], window)
  track(now + window)
  return {1, limit - count - 1, 0, new}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, math.max(1, tonumber(oldest[2]) + window - now), 0}
