-- Extends a lock's lease, only for its holder (the seed's renew_lock, in milliseconds).
--   KEYS[1]  the lock
--   ARGV[1]  the holder's token
--   ARGV[2]  the new time to live in ms
-- Returns 1 when renewed, 0 when the lock is gone or someone else's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
