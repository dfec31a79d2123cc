package org.fossinfra.redis;

import java.nio.charset.StandardCharsets;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;

/**
 * One rule in the Redis store: the script of its policy, the rule's key prefix and key index, and the arguments
 * (key budget, the index's time to live, the policy's parameters), encoded once; a check adds the key and goes to
 * the calling event loop's lane.
 */
final class RedisLimiter implements Limiter {
    private static final Decision.Unavailable CLOSED = new Decision.Unavailable("the rate-limit store was closed");

    private final RedisRateLimitStore store;
    final RedisScript script;
    private final byte[] prefix;
    /** KEYS[2] of the script: the rule's key index. */
    final byte[] index;
    /** ARGV[2..] of the script. */
    final byte[][] args;
    final KeyBudget budget;
    /** The answer when the rule holds its size of keys and this key is new: one instance, no allocation per check. */
    final Decision.Unavailable full;

    RedisLimiter(RedisRateLimitStore store, RedisScript script, byte[] prefix, byte[] index, KeyBudget budget,
                 byte[]... args) {
        this.store = store;
        this.script = script;
        this.prefix = prefix;
        this.index = index;
        this.budget = budget;
        this.args = args;
        this.full = new Decision.Unavailable("the rule holds its " + budget.size() + " keys in Redis (size "
                + budget.size() + "); a new key is not counted");
    }

    @Override
    public void acquire(String key, long tag, Answer answer) {
        if (store.closed()) {
            answer.onDecision(tag, CLOSED);
            return;
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] whole = new byte[prefix.length + k.length];
        System.arraycopy(prefix, 0, whole, 0, prefix.length);
        System.arraycopy(k, 0, whole, prefix.length, k.length);
        store.lane().submit(new RedisLane.Call(this, whole, tag, answer));
    }
}
