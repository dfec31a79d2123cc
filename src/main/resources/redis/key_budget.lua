-- Put before each rate-limit script by org.fossinfra.redis.RedisScript (Redis runs one script text, so the scripts
-- cannot include it themselves; the SHA-1 Redis caches is that of the whole text). What every script shares:
--   now      the time in ms: ARGV[1], or Redis's own clock (TIME) when ARGV[1] is empty, which every node then shares
--   room()   whether the rule may hold KEYS[1]: it is already counted, or fewer than its budget ARGV[2] are alive
--   track(e) counts KEYS[1] in the rule's key index KEYS[2] until e (ms); ARGV[3] is the longest a key lives
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
