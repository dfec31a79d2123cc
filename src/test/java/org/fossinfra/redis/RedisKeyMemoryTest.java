package org.fossinfra.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.fossinfra.config.HostPort;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.events.EventLog;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.Limiter;
import org.fossinfra.ratelimit.Policy;
import org.fossinfra.testing.services.RealRedis;
import org.fossinfra.testing.services.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a rate-limit key costs in Redis's memory, measured on a redis-server of the test's own (nothing else in it):
 * {@code used_memory} before and after 20 000 client keys of each policy, made through the store as traffic makes
 * them, key index included. docs/persistence.md quotes these figures for sizing {@code maxmemory}; the bounds below
 * are those figures with a margin, so that a change that makes keys fatter is seen.
 */
class RedisKeyMemoryTest {
    private static final int KEYS = 20_000;
    private Vertx vertx;
    private RedisProcess redis;
    private HostPort address;
    private Redis client;
    private RedisRateLimitStore store;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        int port = RealRedis.deadPort();
        redis = new RedisProcess(port).start();
        address = new HostPort("127.0.0.1", port);
        client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + address));
        store = RedisRateLimitStore.start(vertx, new RedisConfig(address, Optional.empty(), Duration.ofSeconds(5),
                RedisConfig.OnFailure.CLOSED, "foss:", 1), EventLog.inMemory(100));
        Connected.await(store);
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        client.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        redis.close();
    }

    private Response command(Command cmd, Object... args) throws Exception {
        return client.send(Request.cmd(cmd, args)).await(10, TimeUnit.SECONDS);
    }

    private long usedMemory() throws Exception {
        for (String line : command(Command.INFO, "memory").toString().split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new AssertionError("INFO memory has no used_memory");
    }

    /**
     * Bytes per key, key index included, for {@code keys} client addresses under rule {@code rule}, each sent
     * {@code requests} requests (all admitted).
     */
    private long bytesPerKey(String rule, Policy policy, int keys, int requests) throws Exception {
        command(Command.FLUSHALL);
        long before = usedMemory();
        Limiter l = store.limiter(rule, policy, keys);
        for (int r = 0; r < requests; r++) {
            List<CompletableFuture<Decision>> batch = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                batch.add(l.acquire("203.0." + (i >> 8) + "." + (i & 255)).toCompletableFuture());
                if (batch.size() == 1000) {
                    drain(batch);
                }
            }
            drain(batch);
        }
        assertThat(command(Command.DBSIZE).toLong()).as("keys and the index").isEqualTo(keys + 1);
        return (usedMemory() - before) / keys;
    }

    private static void drain(List<CompletableFuture<Decision>> batch) throws Exception {
        for (CompletableFuture<Decision> f : batch) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(Decision.Allowed.class);
        }
        batch.clear();
    }

    @Test
    void whatAKeyCostsInRedis() throws Exception {
        Policy sw = Policy.slidingWindow(1000, Duration.ofMinutes(10));
        long fixed = bytesPerKey("api-per-client", Policy.fixedWindow(100, Duration.ofMinutes(10)), KEYS, 1);
        long bucket = bytesPerKey("api-per-client", Policy.tokenBucket(0.01, 100), KEYS, 1);
        long sliding = bytesPerKey("api-per-client", sw, KEYS, 1);
        long index = command(Command.MEMORY, "USAGE", "foss:rlkeys:api-per-client:sw", "SAMPLES", "0").toLong() / KEYS;
        long sliding10 = bytesPerKey("api-per-client", sw, KEYS, 10);
        // Past 128 entries Redis keeps a sorted set as a skip list instead of a packed list: dearer per entry.
        long sliding200 = bytesPerKey("api-per-client", sw, 200, 200);
        long perRequest = (sliding10 - sliding) / 9;
        long perRequestLarge = (sliding200 - sliding) / 199;
        System.out.printf("redis key memory (%s): fixed-window %d B/key, token-bucket %d B/key, sliding-window %d"
                        + " B/key with 1 request, %d with 10 (%d B per further request), %d with 200 (%d B per"
                        + " request); the key index's share %d B/key%n", version(), fixed, bucket, sliding, sliding10,
                perRequest, sliding200, perRequestLarge, index);
        assertThat(fixed).isLessThan(420);
        assertThat(bucket).isLessThan(420);
        assertThat(sliding).isLessThan(450);
        assertThat(perRequest).as("per request in a sliding window of up to 128").isLessThan(80);
        assertThat(perRequestLarge).as("per request in a sliding window beyond 128").isLessThan(200);
        assertThat(index).isLessThan(170);
    }

    private String version() throws Exception {
        for (String line : command(Command.INFO, "server").toString().split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return "Redis " + line.substring("redis_version:".length()).trim();
            }
        }
        return "Redis";
    }
}
