package org.fossinfra.ratelimit;

import java.time.Duration;
import java.util.List;

/**
 * How many requests one key may make: a closed set of algorithms, each in its own file with its parameters and its
 * in-process implementation. The Redis store runs the same algorithms as Lua scripts
 * ({@code src/main/resources/redis/*.lua}) with the same semantics, on Redis's clock.
 *
 * <p>Common to all: only admitted requests count. A denied request leaves no trace, so a client that waits the
 * {@link Decision.Denied#retryAfterMillis() retry-after} it was given is admitted (HAProxy's {@code http_req_rate}
 * counts refused requests too, which keeps a client that never slows down refused forever).
 */
public sealed interface Policy permits FixedWindow, SlidingWindow, TokenBucket {
    /** The most requests a window (or a bucket) may hold. */
    int MAX_LIMIT = 1_000_000;
    /** The longest window; keys live at most this long after their last request. */
    Duration MAX_WINDOW = Duration.ofDays(1);
    /** The config names, in the order the docs list them. */
    List<String> NAMES = List.of("fixed-window", "sliding-window", "token-bucket");

    /** The name in the config: {@code fixed-window}, {@code sliding-window} or {@code token-bucket}. */
    String configName();

    /**
     * The most memory one key can take in the in-process store: its state, at the fullest, plus the map entry and a
     * typical key (an IPv4 address), so that a table's worst case is {@code size} times this.
     */
    long localBytesPerKey();

    /** At most {@code limit} requests per window; the window starts at a key's first request. */
    static FixedWindow fixedWindow(int limit, Duration window) {
        return new FixedWindow(limit, window);
    }

    /** At most {@code limit} requests in any span of {@code window}, to the millisecond. */
    static SlidingWindow slidingWindow(int limit, Duration window) {
        return new SlidingWindow(limit, window);
    }

    /** {@code perSecond} requests a second on average, with bursts of up to {@code burst}. */
    static TokenBucket tokenBucket(double perSecond, int burst) {
        return new TokenBucket(perSecond, burst);
    }
}
