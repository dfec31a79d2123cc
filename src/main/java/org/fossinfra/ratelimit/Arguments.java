package org.fossinfra.ratelimit;

import java.time.Duration;
import java.util.Objects;

/** Checks of policy parameters, with messages in the house form: {@code "limit: 0 (expected: 1..1000000)"}. */
final class Arguments {
    /** One a day: anything slower is a ban, not a rate. */
    static final double MIN_RATE = 1.0 / 86_400;

    private Arguments() {
    }

    static void requireLimit(String what, int value) {
        if (value < 1 || value > Policy.MAX_LIMIT) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: 1.." + Policy.MAX_LIMIT + ")");
        }
    }

    /** Whole milliseconds, since Redis's clock and expiries are in milliseconds. */
    static void requireWindow(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(Policy.MAX_WINDOW) > 0
                || window.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException("window: " + window + " (expected: 1ms..1d in whole milliseconds)");
        }
    }

    static void requireRate(double perSecond) {
        if (!(perSecond >= MIN_RATE && perSecond <= Policy.MAX_LIMIT)) {
            throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: 1/86400.." + Policy.MAX_LIMIT
                    + ")");
        }
    }
}
