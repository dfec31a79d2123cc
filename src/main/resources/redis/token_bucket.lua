-- Token bucket (org.fossinfra.ratelimit.TokenBucket): ARGV[5] tokens at most, refilled at ARGV[4] a second; a
-- request takes one. Tokens are kept in millionths so that refills add up exactly (at 10 a second, 100 ms make
-- exactly one token).
--   KEYS[1]  a hash {t = tokens in millionths, ts = time of t (ms)}
--   KEYS[2]  the rule's key index: a sorted set of its keys, scored by when each expires (ms)
--   ARGV[1]  the time in ms; empty for Redis's own clock (TIME), which every node then shares
--   ARGV[2]  the rule's key budget: the most keys it may hold at once (its size)
--   ARGV[3]  the longest any key of the rule lives, in ms (an empty bucket's refill)
--   ARGV[4]  tokens per second
--   ARGV[5]  burst: the bucket's size
-- Returns {1, remaining, 0, new} when admitted, {0, 0, retry-after ms, 0} when not (a refused request takes
-- nothing), and {0, 0, 0, 2} when the key is new and the rule already holds its budget of keys: nothing is written.
-- new is 1 when this call made the key. The key expires once the bucket would be full again, when it holds nothing
-- a fresh bucket wouldn't.
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

local perMs = tonumber(ARGV[4]) * 1000
local full = tonumber(ARGV[5]) * 1000000
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
local new = 0
if not tokens or not ts then
  if not room() then
    return {0, 0, 0, 2}
  end
  new = 1
  tokens = full
  ts = now
elseif now > ts then
  tokens = math.min(full, tokens + (now - ts) * perMs)
  ts = now
end
if tokens >= 1000000 then
  tokens = tokens - 1000000
  local ttl = math.ceil((full - tokens) / perMs) + 1
  redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
  redis.call('PEXPIRE', KEYS[1], ttl)
  track(now + ttl)
  return {1, math.floor(tokens / 1000000), 0, new}
end
return {0, 0, math.max(1, math.ceil((1000000 - tokens) / perMs)), 0}
