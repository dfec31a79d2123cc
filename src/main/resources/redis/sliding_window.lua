-- Sliding window (org.fossinfra.ratelimit.SlidingWindow): at most ARGV[2] requests in any span of ARGV[3] ms.
-- A sorted set of the admitted requests, scored by time. Each member is the time AND a suffix unique to the call
-- (ARGV[4]): the seed's script used the time alone, so two requests in the same millisecond were one member and
-- counted once.
--   KEYS[1]  the sorted set
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  limit
--   ARGV[3]  window in ms
--   ARGV[4]  unique to this call (node id and sequence)
-- Returns {1, remaining, 0} when admitted, {0, 0, retry-after ms} when not; a refused request is not added.
-- The set expires a window after its newest entry.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, string.format('%d', now) .. '-' .. ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, math.max(1, tonumber(oldest[2]) + window - now)}
