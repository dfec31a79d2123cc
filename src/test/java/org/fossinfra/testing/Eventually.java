package org.fossinfra.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition that another thread will make true, with a bound: no test waits forever, or by a fixed sleep. */
public final class Eventually {
    private static final long POLL_MILLIS = 5;

    private Eventually() {
    }

    /** Waits until {@code condition} holds; an AssertionError naming {@code what} when {@code timeout} passes first. */
    public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
