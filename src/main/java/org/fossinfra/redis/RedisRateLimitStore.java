package org.fossinfra.redis;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.fossinfra.config.RedisConfig;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.fossinfra.ratelimit.Decision;
import org.fossinfra.ratelimit.FixedWindow;
import org.fossinfra.ratelimit.Limiter;
import org.fossinfra.ratelimit.Policy;
import org.fossinfra.ratelimit.RateLimitStore;
import org.fossinfra.ratelimit.SlidingWindow;
import org.fossinfra.ratelimit.TokenBucket;

/**
 * Rate-limit counts in Redis, shared by every node: each check is one atomic Lua script ({@code EVALSHA} of
 * {@code src/main/resources/redis/*.lua}) that reads Redis's own clock ({@code TIME}), so that all nodes count on
 * one clock, and leaves keys that expire by themselves ({@code PEXPIRE}).
 *
 * <p>One connection per event loop ({@link RedisLane}), so checks never change threads and are pipelined on each
 * connection. A check never blocks: while Redis is unreachable, checks are answered {@link Decision.Unavailable} at
 * once, and the caller decides (fail open or closed) and bounds its wait by the configured timeout. Failures and
 * recovery make one log line and one event each ({@code ratelimit.store.unavailable} / {@code .available}, see
 * {@link RedisHealth}).
 *
 * <p>Keys: {@code <key-prefix>rl:<rule>:<policy>:<key>}, e.g. {@code foss:rl:api-per-ip:sw:203.0.113.7}. The policy is
 * in the key, so that a rule changed from one policy to another starts afresh instead of meeting a key of the wrong
 * type. Each rule holds at most its {@code size} of keys at once, counted across every node in its key index
 * {@code <key-prefix>rlkeys:<rule>:<policy>} (a sorted set of its keys by expiry): a new key beyond it is not made,
 * and its request follows {@code on-failure} (see {@link KeyBudget}). So a flood of new client keys cannot fill
 * Redis's memory, whatever its {@code maxmemory} says.
 *
 * <p>Hazard: start it before traffic flows and on the Vert.x whose event loops carry the traffic; checks made from
 * other threads work, through a hop to the first lane.
 */
public final class RedisRateLimitStore implements RateLimitStore {
    static final List<RedisScript> SCRIPTS =
            List.of(RedisScript.FIXED_WINDOW, RedisScript.SLIDING_WINDOW, RedisScript.TOKEN_BUCKET);
    /** Connecting is not on a request's path (checks are answered meanwhile), so it may take longer than a check. */
    static final int CONNECT_TIMEOUT_MS = 2_000;
    /** An answer this late means a connection that stopped answering: it is replaced. */
    static final long MIN_HANG_MS = 1_000;
    private static final byte[] REDIS_CLOCK = new byte[0];

    private final VertxInternal vertx;
    private final RedisConfig config;
    private final EventLog events;
    private final MeterRegistry meters;
    private final RedisHealth health;
    private final LongSupplier millisClock;
    private final String nodeId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final List<RedisLane> lanes = new ArrayList<>();
    private final Map<Thread, RedisLane> byThread = new ConcurrentHashMap<>();
    private final Decision.Unavailable overloaded;
    private volatile boolean closed;

    private RedisRateLimitStore(Vertx vertx, RedisConfig config, EventLog events, MeterRegistry meters,
                                LongSupplier millisClock) {
        this.vertx = (VertxInternal) vertx;
        this.config = config;
        this.events = events;
        this.meters = meters;
        this.millisClock = millisClock;
        this.health = new RedisHealth("ratelimit", "rate-limit store", config.describe(), events,
                EventType.RATELIMIT_STORE_UNAVAILABLE, EventType.RATELIMIT_STORE_AVAILABLE, System::nanoTime);
        this.overloaded = new Decision.Unavailable("more than " + RedisLane.MAX_IN_FLIGHT
                + " checks wait for " + config.describe());
    }

    /**
     * Opens one connection per event loop of {@code vertx}, in the background: checks made before a connection is
     * open wait for it (the caller's timeout still applies).
     *
     * @param events where {@code ratelimit.store.*} and {@code ratelimit.keys.*} events go
     * @param meters where the counter of keys refused by a rule's budget goes ({@value KeyBudget#METER})
     */
    public static RedisRateLimitStore start(Vertx vertx, RedisConfig config, EventLog events, MeterRegistry meters) {
        return start(vertx, config, events, meters, null);
    }

    /** As {@link #start(Vertx, RedisConfig, EventLog, MeterRegistry)}, with meters nobody reads. */
    public static RedisRateLimitStore start(Vertx vertx, RedisConfig config, EventLog events) {
        return start(vertx, config, events, new SimpleMeterRegistry(), null);
    }

    /**
     * As {@link #start(Vertx, RedisConfig, EventLog, MeterRegistry)}, with the scripts reading {@code millisClock}
     * instead of TIME, and the key budgets' quiet second measured on it too.
     */
    static RedisRateLimitStore start(Vertx vertx, RedisConfig config, EventLog events, MeterRegistry meters,
                                     LongSupplier millisClock) {
        RedisRateLimitStore store = new RedisRateLimitStore(vertx, config, events, meters, millisClock);
        int i = 0;
        for (EventExecutor e : store.vertx.nettyEventLoopGroup()) {
            ContextInternal ctx = store.vertx.contextBuilder().withEventLoop((EventLoop) e).build();
            RedisLane lane = new RedisLane(store, i++, ctx);
            store.lanes.add(lane);
            ctx.runOnContext(v -> {
                store.byThread.put(Thread.currentThread(), lane);
                lane.start();
            });
        }
        return store;
    }

    /**
     * The counts of rule {@code name}, holding at most {@code maxKeys} keys at once across every node (the rule's
     * {@code size}).
     */
    @Override
    public Limiter limiter(String name, Policy policy, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        String tag = switch (policy) {
            case FixedWindow f -> "fw";
            case SlidingWindow s -> "sw";
            case TokenBucket t -> "tb";
        };
        byte[] prefix = (config.keyPrefix() + "rl:" + name + ":" + tag + ":").getBytes(StandardCharsets.UTF_8);
        // "rlkeys:" never begins a key of "rl:", whatever the client key: the index can't be taken for a count.
        byte[] index = (config.keyPrefix() + "rlkeys:" + name + ":" + tag).getBytes(StandardCharsets.UTF_8);
        LongSupplier nanoClock = millisClock == null ? System::nanoTime : () -> millisClock.getAsLong() * 1_000_000L;
        KeyBudget budget = new KeyBudget(name, maxKeys, config, events, meters, nanoClock);
        return switch (policy) {
            case FixedWindow f -> new RedisLimiter(this, RedisScript.FIXED_WINDOW, prefix, index, budget,
                    ascii(maxKeys), ascii(f.window().toMillis()), ascii(f.limit()), ascii(f.window().toMillis()));
            case SlidingWindow s -> new RedisLimiter(this, RedisScript.SLIDING_WINDOW, prefix, index, budget,
                    ascii(maxKeys), ascii(s.window().toMillis()), ascii(s.limit()), ascii(s.window().toMillis()));
            // A bucket's key lives until it would be full again: at most burst tokens' refill, plus the script's 1 ms.
            case TokenBucket t -> new RedisLimiter(this, RedisScript.TOKEN_BUCKET, prefix, index, budget,
                    ascii(maxKeys), ascii((long) Math.ceil(t.burst() * 1000.0 / t.perSecond()) + 1),
                    Double.toString(t.perSecond()).getBytes(StandardCharsets.US_ASCII), ascii(t.burst()));
        };
    }

    /** Whether the last calls reached Redis (see {@link RedisHealth} for how recovery is decided). */
    public boolean available() {
        return health.available();
    }

    /** Where it points, never with the password. */
    public String target() {
        return config.describe();
    }

    @Override
    public void close() {
        closed = true;
        for (RedisLane lane : lanes) {
            lane.context.runOnContext(v -> lane.close());
        }
    }

    // ---------------------------------------------------------------- for lanes and limiters

    /** The lane of the calling event loop, or the first one for any other thread. */
    RedisLane lane() {
        RedisLane lane = byThread.get(Thread.currentThread());
        return lane != null ? lane : lanes.getFirst();
    }

    boolean closed() {
        return closed;
    }

    RedisHealth health() {
        return health;
    }

    Decision.Unavailable overloaded() {
        return overloaded;
    }

    String nodeId() {
        return nodeId;
    }

    /** ARGV[1] of every script: empty for Redis's clock, or the test clock's milliseconds. */
    byte[] clockArgument() {
        return millisClock == null ? REDIS_CLOCK : ascii(millisClock.getAsLong());
    }

    long timeoutMillis() {
        return Math.max(1, config.timeout().toMillis());
    }

    long timeoutNanos() {
        return config.timeout().toNanos();
    }

    /** Twenty timeouts, and at least a second: longer than any answer of a Redis that is merely busy. */
    long hangNanos() {
        return Math.max(MIN_HANG_MS, 20 * timeoutMillis()) * 1_000_000L;
    }

    RedisOptions options() {
        return options(config, CONNECT_TIMEOUT_MS, RedisLane.MAX_IN_FLIGHT + 16);
    }

    /**
     * A single-connection client: RESP2 without {@code HELLO}, so that any Redis from 5 on answers, {@code AUTH} when
     * a password is set.
     */
    static RedisOptions options(RedisConfig config, int connectTimeoutMs, int maxWaiting) {
        RedisOptions options = new RedisOptions()
                .setConnectionString("redis://" + config.address())
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(connectTimeoutMs).setTcpNoDelay(true))
                .setProtocolNegotiation(false)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(1)
                .setMaxPoolWaiting(maxWaiting)
                .setMaxWaitingHandlers(maxWaiting);
        config.password().ifPresent(options::setPassword);
        return options;
    }

    static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
