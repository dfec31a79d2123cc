package org.fossinfra.redis;

import java.nio.charset.StandardCharsets;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;

/**
 * One rule in the Redis store: the script of its policy, the rule's key prefix and the policy's parameters, encoded
 * once; a check adds the key and goes to the calling event loop's lane.
 */
final class RedisLimiter implements Limiter {
    private static final Decision.Unavailable CLOSED = new Decision.Unavailable("the rate-limit store was closed");

    private final RedisRateLimitStore store;
    private final RedisScript script;
    private final byte[] prefix;
    private final byte[][] args;

    RedisLimiter(RedisRateLimitStore store, RedisScript script, byte[] prefix, byte[]... args) {
        this.store = store;
        this.script = script;
        this.prefix = prefix;
        this.args = args;
    }

    @Override
    public void acquire(String key, long tag, Answer answer) {
        if (store.closed()) {
            answer.onDecision(tag, CLOSED);
            return;
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] full = new byte[prefix.length + k.length];
        System.arraycopy(prefix, 0, full, 0, prefix.length);
        System.arraycopy(k, 0, full, prefix.length, k.length);
        store.lane().submit(new RedisLane.Call(script, full, args, tag, answer));
    }
}
