package org.fossinfra.proxy;

import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.fossinfra.config.Config;
import org.fossinfra.config.RateLimitConfig;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.ratelimit.RateLimitStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate-limit rules of the configuration in force, and their stores: the in-process store, always there, and the
 * Redis store, opened through the composition root's opener when a rule needs it. A reload keeps an unchanged rule
 * (and its counts); a changed rule starts afresh; changed Redis settings open a new store, and the old one closes a
 * little later, once the checks still waiting on it have had their time.
 *
 * <p>Hazard: {@link #plan}, {@link #commit} and {@link #abort} are called under the proxy's apply lock only.
 */
final class RateLimits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("ratelimit");
    /** How long a replaced Redis store stays open for the checks in flight: far beyond any sane timeout. */
    static final long RETIRE_DELAY_MS = 5_000;

    private final Vertx vertx;
    private final RateLimitStore local = RateLimitStore.local();
    private volatile Function<RedisConfig, RateLimitStore> redisOpener;
    private RedisConfig redisConfig;
    private RateLimitStore redis;
    private Map<String, RateLimitRule> rules = Map.of();

    /** The rules of a configuration about to be applied, and the Redis store they use. */
    record Plan(Map<String, RateLimitRule> rules, RedisConfig redisConfig, RateLimitStore redis) {
    }

    RateLimits(Vertx vertx) {
        this.vertx = vertx;
    }

    void redisOpener(Function<RedisConfig, RateLimitStore> opener) {
        this.redisOpener = opener;
    }

    /**
     * Builds the rules of {@code next}, reusing unchanged ones; opens a Redis store if a rule needs one and the
     * current one doesn't fit. Nothing is in force until {@link #commit}.
     *
     * @throws IllegalStateException when a rule needs Redis and no opener was given
     */
    Plan plan(Config next) {
        boolean needsRedis = next.rateLimits().stream().anyMatch(r -> r.store() == RateLimitConfig.Store.REDIS);
        RedisConfig rc = needsRedis ? next.redis().orElseThrow() : null;
        RateLimitStore store = null;
        if (needsRedis) {
            if (redis != null && rc.equals(redisConfig)) {
                store = redis;
            } else {
                Function<RedisConfig, RateLimitStore> opener = redisOpener;
                if (opener == null) {
                    throw new IllegalStateException("rate-limit rules with store: redis need a Redis store, and this"
                            + " proxy was started without one");
                }
                store = opener.apply(rc);
            }
        }
        Map<String, RateLimitRule> out = new HashMap<>();
        for (RateLimitConfig c : next.rateLimits()) {
            RateLimitRule prev = rules.get(c.name());
            boolean remote = c.store() == RateLimitConfig.Store.REDIS;
            if (prev != null && prev.config.sameRule(c) && (!remote || store == redis)) {
                out.put(c.name(), prev);
                continue;
            }
            RateLimitStore s = remote ? store : local;
            out.put(c.name(), new RateLimitRule(c, s.limiter(c.name(), c.policy(), c.size()),
                    remote ? rc.timeout().toNanos() : Long.MAX_VALUE,
                    !remote || rc.onFailure() == RedisConfig.OnFailure.OPEN));
        }
        return new Plan(Map.copyOf(out), rc, store);
    }

    /** {@code plan} is in force: a Redis store no longer used closes after {@link #RETIRE_DELAY_MS}. */
    void commit(Plan plan) {
        RateLimitStore old = redis;
        redis = plan.redis();
        redisConfig = plan.redisConfig();
        rules = plan.rules();
        if (old != null && old != redis) {
            log.info("rate-limit store {} replaced; closing the old connections in {} ms", redisConfig == null
                    ? "(none now)" : redisConfig.describe(), RETIRE_DELAY_MS);
            vertx.setTimer(RETIRE_DELAY_MS, id -> old.close());
        }
    }

    /** {@code plan} will not be applied: closes a Redis store opened for it. */
    void abort(Plan plan) {
        if (plan.redis() != null && plan.redis() != redis) {
            plan.redis().close();
        }
    }

    @Override
    public void close() {
        RateLimitStore r = redis;
        redis = null;
        if (r != null) {
            r.close();
        }
    }
}
