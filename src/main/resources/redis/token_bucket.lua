-- Token bucket (org.fossinfra.ratelimit.TokenBucket): ARGV[3] tokens at most, refilled at ARGV[2] a second; a
-- request takes one. Tokens are kept in millionths so that refills add up exactly (at 10 a second, 100 ms make
-- exactly one token).
--   KEYS[1]  a hash {t = tokens in millionths, ts = time of t (ms)}
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  tokens per second
--   ARGV[3]  burst: the bucket's size
-- Returns {1, remaining, 0} when admitted, {0, 0, retry-after ms} when not; a refused request takes nothing.
-- The key expires once the bucket would be full again, when it holds nothing a fresh bucket wouldn't.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local perMs = tonumber(ARGV[2]) * 1000
local full = tonumber(ARGV[3]) * 1000000
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if not tokens or not ts then
  tokens = full
  ts = now
elseif now > ts then
  tokens = math.min(full, tokens + (now - ts) * perMs)
  ts = now
end
if tokens >= 1000000 then
  tokens = tokens - 1000000
  redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
  redis.call('PEXPIRE', KEYS[1], math.ceil((full - tokens) / perMs) + 1)
  return {1, math.floor(tokens / 1000000), 0}
end
return {0, 0, math.max(1, math.ceil((1000000 - tokens) / perMs))}
