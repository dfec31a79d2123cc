-- Fixed window (org.fossinfra.ratelimit.FixedWindow): at most ARGV[2] requests per window of ARGV[3] ms, a key's
-- window starting at its first request. Atomic: Redis runs a script to the end before anything else.
--   KEYS[1]  a hash {s = window start (ms), n = requests admitted in it}
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  limit
--   ARGV[3]  window in ms
-- Returns {1, remaining, 0} when admitted, {0, 0, retry-after ms} when not; a refused request is not counted.
-- The key expires when its window ends, so an idle client leaves nothing behind.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local w = redis.call('HMGET', KEYS[1], 's', 'n')
local start = tonumber(w[1])
local count = tonumber(w[2])
if not start or not count or now - start >= window then
  start = now
  count = 0
end
if count < limit then
  count = count + 1
  redis.call('HSET', KEYS[1], 's', start, 'n', count)
  redis.call('PEXPIRE', KEYS[1], math.max(1, start + window - now))
  return {1, limit - count, 0}
end
return {0, 0, math.max(1, start + window - now)}
