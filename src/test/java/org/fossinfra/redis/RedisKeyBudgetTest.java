package org.fossinfra.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;
import org.fossinfra.ratelimit.Policy;
import org.fossinfra.testing.services.RealRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rule on Redis holds at most its {@code size} of keys, counted across every node, on the real Redis of the test
 * run: a new key beyond it is not made (its request is answered "unavailable", so on-failure decides), known keys go
 * on being counted, expired keys make room, and the node hears of it once (an event, a log line) and by a counter.
 */
class RedisKeyBudgetTest {
    private Vertx vertx;
    private EventLog events;
    private SimpleMeterRegistry meters;
    private final List<RedisRateLimitStore> stores = new ArrayList<>();
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        events = EventLog.inMemory(1000);
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() throws Exception {
        stores.forEach(RedisRateLimitStore::close);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private RedisRateLimitStore store(RedisConfig config, boolean pinnedClock) throws InterruptedException {
        RedisRateLimitStore s = RedisRateLimitStore.start(vertx, config, events, meters,
                pinnedClock ? millis::get : null);
        stores.add(s);
        return Connected.await(s);
    }

    private static Decision check(Limiter l, String key) throws Exception {
        return l.acquire(key).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private double refused(String rule) {
        return meters.counter(KeyBudget.METER, "rule", rule).count();
    }

    /** The keys really in Redis under {@code pattern} (SCAN, so the count is Redis's, not ours). */
    private long keysIn(String pattern) throws Exception {
        long n = 0;
        String cursor = "0";
        do {
            Response r = RealRedis.command(vertx, Command.SCAN, cursor, "MATCH", pattern, "COUNT", "1000");
            cursor = r.get(0).toString();
            n += r.get(1).size();
        } while (!cursor.equals("0"));
        return n;
    }

    @Test
    void aRuleHoldsAtMostItsSizeOfKeysAndKnownKeysAreStillCounted() throws Exception {
        String prefix = RealRedis.prefix("budget");
        Limiter l = store(RealRedis.config(prefix), false).limiter("r", Policy.fixedWindow(10, Duration.ofMinutes(1)), 5);
        for (int i = 0; i < 5; i++) {
            assertThat(check(l, "k" + i)).isEqualTo(new Decision.Allowed(9));
        }
        Decision d = check(l, "k5");
        assertThat(d).isInstanceOf(Decision.Unavailable.class);
        assertThat(((Decision.Unavailable) d).reason()).contains("holds its 5 keys").contains("size 5");
        assertThat(check(l, "k0")).as("a known key goes on being counted").isEqualTo(new Decision.Allowed(8));
        assertThat(check(l, "k6")).isInstanceOf(Decision.Unavailable.class);
        assertThat(check(l, "k7")).isInstanceOf(Decision.Unavailable.class);

        assertThat(keysIn(prefix + "rl:r:fw:*")).as("keys in Redis").isEqualTo(5);
        assertThat(refused("r")).isEqualTo(3);
        List<Event> full = events.recent(100, EventType.RATELIMIT_KEYS_FULL);
        assertThat(full).as("one event, not one per refused key").singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("r");
            assertThat(e.message()).contains("'r' holds its 5 keys").contains("on-failure: open");
            assertThat(e.data()).containsEntry("size", "5");
        });
        assertThat(events.recent(100, EventType.RATELIMIT_STORE_UNAVAILABLE)).as("Redis itself is fine").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed-window", "sliding-window", "token-bucket"})
    void everyPolicyHoldsTheBudget(String policy) throws Exception {
        Policy p = switch (policy) {
            case "fixed-window" -> Policy.fixedWindow(3, Duration.ofMinutes(1));
            case "sliding-window" -> Policy.slidingWindow(3, Duration.ofMinutes(1));
            default -> Policy.tokenBucket(1, 3);
        };
        Limiter l = store(RealRedis.config(RealRedis.prefix("budget-" + policy)), false).limiter(policy, p, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(check(l, "k" + i)).isEqualTo(new Decision.Allowed(2));
        }
        assertThat(check(l, "k3")).isInstanceOf(Decision.Unavailable.class);
        assertThat(check(l, "k1")).isEqualTo(new Decision.Allowed(1));
        assertThat(check(l, "k1")).isEqualTo(new Decision.Allowed(0));
        assertThat(check(l, "k1")).as("a known key's limit still holds").isInstanceOf(Decision.Denied.class);
        assertThat(refused(policy)).isEqualTo(1);
    }

    @Test
    void twoNodesShareOneBudget() throws Exception {
        String prefix = RealRedis.prefix("budget-shared");
        Limiter a = store(RealRedis.config(prefix), false).limiter("r", Policy.slidingWindow(5, Duration.ofMinutes(1)), 4);
        Limiter b = store(RealRedis.config(prefix), false).limiter("r", Policy.slidingWindow(5, Duration.ofMinutes(1)), 4);
        assertThat(check(a, "a1")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(a, "a2")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(b, "b1")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(b, "b2")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(a, "a3")).isInstanceOf(Decision.Unavailable.class);
        assertThat(check(b, "b3")).isInstanceOf(Decision.Unavailable.class);
        assertThat(check(b, "a1")).as("node b counts node a's key").isEqualTo(new Decision.Allowed(3));
    }

    @Test
    void expiredKeysMakeRoomAndTheRuleSaysSoOnceAfterAQuietSecond() throws Exception {
        String prefix = RealRedis.prefix("budget-expiry");
        Limiter l = store(RealRedis.config(prefix), true).limiter("r", Policy.fixedWindow(5, Duration.ofSeconds(10)), 2);
        assertThat(check(l, "k1")).isInstanceOf(Decision.Allowed.class);
        millis.addAndGet(4_000);
        assertThat(check(l, "k2")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(l, "k3")).isInstanceOf(Decision.Unavailable.class);
        millis.addAndGet(500);
        assertThat(check(l, "k3")).as("k1's window ends at 10 s").isInstanceOf(Decision.Unavailable.class);
        assertThat(events.recent(100, EventType.RATELIMIT_KEYS_FREED)).isEmpty();

        // 10 s and a 64th of the window (the index's rounding): k1's window is over, its key gone from the budget.
        millis.addAndGet(5_500 + 10_000 / 64 + 1);
        assertThat(check(l, "k3")).isEqualTo(new Decision.Allowed(4));
        assertThat(check(l, "k4")).as("k2 is still alive: the rule is full again").isInstanceOf(Decision.Unavailable.class);
        assertThat(events.recent(100, EventType.RATELIMIT_KEYS_FULL)).as("full, freed, full again").hasSize(2);
        assertThat(events.recent(100, EventType.RATELIMIT_KEYS_FREED)).singleElement()
                .satisfies(e -> assertThat(e.data()).containsEntry("refused", "2").containsEntry("full-ms", Long.toString(6_000 + 10_000 / 64 + 1)));
    }

    @Test
    void theIndexExpiresWithItsKeysAndHoldsNoMoreThanTheSize() throws Exception {
        String prefix = RealRedis.prefix("budget-index");
        Limiter l = store(RealRedis.config(prefix), false).limiter("r", Policy.slidingWindow(5, Duration.ofSeconds(20)), 3);
        for (int i = 0; i < 6; i++) {
            check(l, "k" + i);
        }
        String index = prefix + "rlkeys:r:sw";
        assertThat(RealRedis.command(vertx, Command.ZCARD, index).toLong()).isEqualTo(3);
        assertThat(RealRedis.command(vertx, Command.PTTL, index).toLong()).as("the window and a 64th of it at most")
                .isBetween(10_000L, 20_000L + 20_000 / 64);
    }

    @Test
    void aRuleNeedsRoomForOneKeyAtLeast() throws Exception {
        RedisRateLimitStore s = store(RealRedis.config(RealRedis.prefix("budget-zero")), false);
        assertThatThrownBy(() -> s.limiter("r", Policy.fixedWindow(1, Duration.ofSeconds(1)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxKeys: 0 (expected: >= 1)");
    }
}
