package org.fossinfra.ratelimit;

/** The shared {@link Decision.Allowed} values behind {@link Decision#allowed(long)}. */
final class Decisions {
    /** Covers every limit up to 1024 without allocating; a higher remaining count allocates a record. */
    static final int CACHED = 1024;
    private static final Decision.Allowed[] ALLOWED = new Decision.Allowed[CACHED];

    static {
        for (int i = 0; i < CACHED; i++) {
            ALLOWED[i] = new Decision.Allowed(i);
        }
    }

    private Decisions() {
    }

    static Decision.Allowed allowed(long remaining) {
        return remaining >= 0 && remaining < CACHED ? ALLOWED[(int) remaining] : new Decision.Allowed(remaining);
    }

    /** Nanoseconds to whole milliseconds, rounded up: a client told to wait must not come back a little too early. */
    static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }
}
