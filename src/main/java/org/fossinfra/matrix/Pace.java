package org.fossinfra.matrix;

import java.time.Duration;

/**
 * The send rate: a token bucket of {@code burst} messages that refills one message per {@code interval}, so that the
 * bot stays below the homeserver's own limit (Synapse's {@code rc_message}) instead of learning it from 429s. Used by
 * the sender's single thread.
 */
final class Pace {
    private final int burst;
    private final long intervalNanos;
    private double tokens;
    private long last;

    Pace(int burst, Duration interval) {
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: 1 or more)");
        }
        this.burst = burst;
        this.intervalNanos = interval.toNanos();
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes one message's worth, sleeping until there is one. */
    void acquire() throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (double) (now - last) / intervalNanos);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return;
            }
            long waitNanos = (long) Math.ceil((1 - tokens) * intervalNanos);
            Thread.sleep(Duration.ofNanos(waitNanos));
        }
    }
}
