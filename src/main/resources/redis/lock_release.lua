-- Releases a lock, only for its holder: compare and delete in one step, so that a holder whose lease ran out can't
-- delete the lock its successor now holds (the seed's release_lock).
--   KEYS[1]  the lock
--   ARGV[1]  the holder's token
-- Returns 1 when released, 0 when the lock is gone or someone else's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
