package org.fossinfra.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.fossinfra.config.HostPort;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.events.Event;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;
import org.fossinfra.ratelimit.Policy;
import org.fossinfra.testing.services.RealRedis;
import org.fossinfra.testing.services.RedisProcess;
import org.fossinfra.testing.services.SilentServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis store against the real Redis servers of the test run: each policy's exact behaviour (on a pinned clock,
 * passed to the scripts instead of TIME), the seed's same-millisecond bug, expiry, the script cache, two nodes
 * sharing counts, and every way Redis can fail.
 */
class RedisRateLimitStoreTest {
    /** Keys a rule may hold: far more than any test here makes (RedisKeyBudgetTest fills its budget). */
    private static final int SIZE = 1000;
    private Vertx vertx;
    private EventLog events;
    private final List<RedisRateLimitStore> stores = new ArrayList<>();
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        events = EventLog.inMemory(1000);
    }

    @AfterEach
    void stop() throws Exception {
        stores.forEach(RedisRateLimitStore::close);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    /** A store on the test run's Redis, once it answers (see {@link Connected}). */
    private RedisRateLimitStore connected(RedisConfig config, boolean pinnedClock) throws InterruptedException {
        return Connected.await(store(config, pinnedClock));
    }

    private RedisRateLimitStore store(RedisConfig config, boolean pinnedClock) {
        RedisRateLimitStore s = RedisRateLimitStore.start(vertx, config, events, new SimpleMeterRegistry(),
                pinnedClock ? millis::get : null);
        stores.add(s);
        return s;
    }

    private static Decision check(Limiter l, String key) throws Exception {
        return l.acquire(key).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private List<Event> events(String type) {
        return events.recent(100, type);
    }

    @Test
    void fixedWindowCountsToTheLimitThenTellsTheTimeLeft() throws Exception {
        Limiter l = connected(RealRedis.config(RealRedis.prefix("fw")), true)
                .limiter("r", Policy.fixedWindow(3, Duration.ofSeconds(10)), SIZE);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(2));
        millis.addAndGet(1000);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(1));
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(0));
        millis.addAndGet(2500);
        assertThat(check(l, "a")).isEqualTo(new Decision.Denied(6500));
        assertThat(check(l, "b")).as("another key").isEqualTo(new Decision.Allowed(2));
        millis.addAndGet(6500);
        assertThat(check(l, "a")).as("a new window").isEqualTo(new Decision.Allowed(2));
    }

    @Test
    void slidingWindowCountsTwoRequestsInTheSameMillisecondTwice() throws Exception {
        // The seed's script used the time as the member: ZADD of the same millisecond twice is one member.
        Limiter l = connected(RealRedis.config(RealRedis.prefix("sw-same-ms")), true)
                .limiter("r", Policy.slidingWindow(2, Duration.ofSeconds(1)), SIZE);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(1));
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(0));
        assertThat(check(l, "a")).isEqualTo(new Decision.Denied(1000));
    }

    @Test
    void slidingWindowAdmitsAgainWhenTheOldestLeaves() throws Exception {
        Limiter l = connected(RealRedis.config(RealRedis.prefix("sw")), true)
                .limiter("r", Policy.slidingWindow(3, Duration.ofSeconds(10)), SIZE);
        check(l, "a");
        millis.addAndGet(4000);
        check(l, "a");
        check(l, "a");
        millis.addAndGet(2000);
        assertThat(check(l, "a")).isEqualTo(new Decision.Denied(4000));
        millis.addAndGet(4000);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(0));
        assertThat(check(l, "a")).isEqualTo(new Decision.Denied(4000));
    }

    @Test
    void tokenBucketAdmitsItsBurstThenOnePerToken() throws Exception {
        Limiter l = connected(RealRedis.config(RealRedis.prefix("tb")), true)
                .limiter("r", Policy.tokenBucket(10, 3), SIZE);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(2));
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(1));
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(0));
        assertThat(check(l, "a")).isEqualTo(new Decision.Denied(100));
        for (int i = 0; i < 20; i++) {
            millis.addAndGet(100);
            assertThat(check(l, "a")).as("step %d", i).isEqualTo(new Decision.Allowed(0));
        }
        millis.addAndGet(60_000);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(2));
    }

    @Test
    void keysExpireWithTheirWindow() throws Exception {
        String prefix = RealRedis.prefix("expiry");
        RedisRateLimitStore s = connected(RealRedis.config(prefix), false);
        check(s.limiter("fw", Policy.fixedWindow(5, Duration.ofSeconds(10)), SIZE), "a");
        check(s.limiter("sw", Policy.slidingWindow(5, Duration.ofSeconds(20)), SIZE), "a");
        check(s.limiter("tb", Policy.tokenBucket(1, 30), SIZE), "a");
        long fw = RealRedis.command(vertx, Command.PTTL, prefix + "rl:fw:fw:a").toLong();
        long sw = RealRedis.command(vertx, Command.PTTL, prefix + "rl:sw:sw:a").toLong();
        long tb = RealRedis.command(vertx, Command.PTTL, prefix + "rl:tb:tb:a").toLong();
        assertThat(fw).isBetween(1L, 10_000L);
        assertThat(sw).isBetween(10_000L, 20_000L);
        assertThat(tb).as("until the bucket is full again: one token at 1/s").isBetween(1L, 1_001L);
    }

    @Test
    void onRedisItsOwnClockCountsForEveryNode() throws Exception {
        String prefix = RealRedis.prefix("two-nodes");
        Limiter a = connected(RealRedis.config(prefix), false).limiter("r", Policy.slidingWindow(4, Duration.ofMinutes(1)), SIZE);
        Limiter b = connected(RealRedis.config(prefix), false).limiter("r", Policy.slidingWindow(4, Duration.ofMinutes(1)), SIZE);
        assertThat(check(a, "k")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(b, "k")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(a, "k")).isInstanceOf(Decision.Allowed.class);
        assertThat(check(b, "k")).isEqualTo(new Decision.Allowed(0));
        Decision d = check(a, "k");
        assertThat(d).isInstanceOf(Decision.Denied.class);
        assertThat(((Decision.Denied) d).retryAfterMillis()).isBetween(55_000L, 60_000L);
    }

    @Test
    void manyPipelinedChecksAreAllCountedExactly() throws Exception {
        Limiter l = connected(RealRedis.config(RealRedis.prefix("pipelined")), false)
                .limiter("r", Policy.slidingWindow(500, Duration.ofMinutes(1)), SIZE);
        List<CompletableFuture<Decision>> all = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            all.add(l.acquire("k").toCompletableFuture());
        }
        long allowed = 0;
        for (CompletableFuture<Decision> f : all) {
            if (f.get(10, TimeUnit.SECONDS) instanceof Decision.Allowed) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(500);
    }

    @Test
    void aFlushedScriptCacheIsRefilledAndNoCheckFails() throws Exception {
        Limiter l = connected(RealRedis.config(RealRedis.prefix("noscript")), false)
                .limiter("r", Policy.fixedWindow(10, Duration.ofMinutes(1)), SIZE);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(9));
        RealRedis.command(vertx, Command.SCRIPT, "FLUSH");
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(8));
        assertThat(RealRedis.command(vertx, Command.SCRIPT, "EXISTS", RedisScript.FIXED_WINDOW.sha()).get(0).toInteger())
                .isEqualTo(1);
        assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).isEmpty();
    }

    @Test
    void aPasswordProtectedRedisAnswersWithThePassword() throws Exception {
        RedisConfig c = RealRedis.config(RealRedis.authAddress(), Optional.of(RealRedis.password()),
                Duration.ofMillis(200), RedisConfig.OnFailure.OPEN, RealRedis.prefix("auth"));
        Limiter l = connected(c, false).limiter("r", Policy.fixedWindow(1, Duration.ofMinutes(1)), SIZE);
        assertThat(check(l, "a")).isEqualTo(new Decision.Allowed(0));
        assertThat(check(l, "a")).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void aWrongPasswordAnswersUnavailableAndMakesOneEventNotACrashLoop() throws Exception {
        RedisConfig c = RealRedis.config(RealRedis.authAddress(), Optional.of("not-the-password"),
                Duration.ofMillis(200), RedisConfig.OnFailure.OPEN, RealRedis.prefix("wrongpass"));
        Limiter l = store(c, false).limiter("r", Policy.fixedWindow(1, Duration.ofMinutes(1)), SIZE);
        Thread.sleep(1500); // several reconnect attempts, with backoff
        for (int i = 0; i < 20; i++) {
            Decision d = check(l, "a");
            assertThat(d).isInstanceOf(Decision.Unavailable.class);
        }
        List<Event> down = events(EventType.RATELIMIT_STORE_UNAVAILABLE);
        assertThat(down).hasSize(1);
        assertThat(down.getFirst().message()).contains("WRONGPASS").doesNotContain("not-the-password");
        assertThat(down.getFirst().subject()).isEqualTo("redis://" + RealRedis.authAddress());
    }

    @Test
    void aMissingPasswordIsReportedAsSuch() throws Exception {
        RedisConfig c = RealRedis.config(RealRedis.authAddress(), Optional.empty(), Duration.ofMillis(200),
                RedisConfig.OnFailure.OPEN, RealRedis.prefix("noauth"));
        Limiter l = store(c, false).limiter("r", Policy.fixedWindow(1, Duration.ofMinutes(1)), SIZE);
        Thread.sleep(500);
        assertThat(check(l, "a")).isInstanceOf(Decision.Unavailable.class);
        assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("NOAUTH"));
    }

    @Test
    void aRefusedConnectionAnswersAtOnce() throws Exception {
        RedisConfig c = RealRedis.config(new HostPort("127.0.0.1", RealRedis.deadPort()), Optional.empty(),
                Duration.ofMillis(200), RedisConfig.OnFailure.OPEN, "x:");
        Limiter l = store(c, false).limiter("r", Policy.fixedWindow(1, Duration.ofMinutes(1)), SIZE);
        Thread.sleep(300);
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThat(check(l, "a")).isInstanceOf(Decision.Unavailable.class);
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for 100 checks").isLessThan(1000);
        assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
    }

    @Test
    void aKeyOfTheWrongTypeIsAnErrorReportedOnce() throws Exception {
        String prefix = RealRedis.prefix("wrongtype");
        RealRedis.command(vertx, Command.RPUSH, prefix + "rl:r:fw:a", "not-a-hash");
        Limiter l = connected(RealRedis.config(prefix), false).limiter("r", Policy.fixedWindow(50, Duration.ofMinutes(1)), SIZE);
        for (int i = 0; i < 10; i++) {
            Decision d = check(l, "a");
            assertThat(d).isInstanceOf(Decision.Unavailable.class);
            assertThat(((Decision.Unavailable) d).reason()).contains("WRONGTYPE");
            assertThat(check(l, "b")).as("other keys still work").isInstanceOf(Decision.Allowed.class);
        }
        assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
        assertThat(events(EventType.RATELIMIT_STORE_AVAILABLE)).isEmpty();
    }

    @Test
    void aSilentRedisIsReportedAfterTheTimeoutAndItsConnectionReplaced() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            RedisConfig c = RealRedis.config(new HostPort("127.0.0.1", silent.port()), Optional.empty(),
                    Duration.ofMillis(50), RedisConfig.OnFailure.OPEN, "x:");
            Limiter l = store(c, false).limiter("r", Policy.fixedWindow(1, Duration.ofMinutes(1)), SIZE);
            CompletableFuture<Decision> first = l.acquire("a").toCompletableFuture();
            // The scripts never load: the first check waits for the connection, which never becomes usable.
            Decision d = first.get(10, TimeUnit.SECONDS);
            assertThat(d).isInstanceOf(Decision.Unavailable.class);
            assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
        }
    }

    @Test
    void aRedisThatGoesAwayAndComesBackMakesOneEventEachWay() throws Exception {
        int port = RealRedis.deadPort();
        try (RedisProcess redis = new RedisProcess(port).start()) {
            RedisConfig c = RealRedis.config(new HostPort("127.0.0.1", port), Optional.empty(),
                    Duration.ofMillis(200), RedisConfig.OnFailure.OPEN, "x:");
            Limiter l = store(c, false).limiter("r", Policy.fixedWindow(1000, Duration.ofMinutes(1)), SIZE);
            assertThat(check(l, "a")).isInstanceOf(Decision.Allowed.class);
            redis.stop();
            for (int i = 0; i < 20; i++) {
                assertThat(check(l, "a")).isInstanceOf(Decision.Unavailable.class);
                Thread.sleep(20);
            }
            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!(check(l, "a") instanceof Decision.Allowed) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1200); // the recovery needs a quiet second
            assertThat(check(l, "a")).isInstanceOf(Decision.Allowed.class);
            assertThat(events(EventType.RATELIMIT_STORE_UNAVAILABLE)).hasSize(1);
            assertThat(events(EventType.RATELIMIT_STORE_AVAILABLE)).singleElement()
                    .satisfies(e -> assertThat(e.data()).containsKey("down-ms"));
        }
    }
}
