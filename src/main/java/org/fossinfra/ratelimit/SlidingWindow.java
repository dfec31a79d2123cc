package org.fossinfra.ratelimit;

import java.time.Duration;

/**
 * At most {@code limit} requests in any span of {@code window}: a sliding log (the seed's {@code sliding_window},
 * fixed). Every admitted request is one entry, so two in the same millisecond count twice, where the seed's script,
 * which used the timestamp as the sorted-set member, counted them once.
 *
 * <p>Exact to the millisecond, at a memory cost: a key keeps the times of its admitted requests within the window,
 * 4 bytes each, up to {@code limit} of them. The array grows by doubling as a key's traffic needs it, so a quiet key
 * holds a few entries; a key at its limit holds {@code 4 × limit} bytes. Times are kept as 32-bit milliseconds, and
 * compared by difference, which stays right for windows up to 24 days (the window is at most a day).
 */
public record SlidingWindow(int limit, Duration window) implements Policy {
    private static final int INITIAL_CAPACITY = 4;

    public SlidingWindow {
        Arguments.requireLimit("limit", limit);
        Arguments.requireWindow(window);
    }

    @Override
    public String configName() {
        return "sliding-window";
    }

    /** Entry and key, the log object (24) and a full array (16 + 4 × limit). */
    @Override
    public long localBytesPerKey() {
        return LocalAlgorithm.ENTRY_BYTES + 24 + 16 + 4L * limit;
    }

    /** A ring of the admitted requests' times, oldest at {@code head}. */
    static final class Log {
        int[] times;
        int head;
        int size;
    }

    static final class Local extends LocalAlgorithm<Log> {
        private final int limit;
        private final int windowMillis;

        Local(SlidingWindow p) {
            this.limit = p.limit();
            this.windowMillis = (int) p.window().toMillis();
        }

        @Override
        Log newState(long now) {
            Log l = new Log();
            l.times = new int[Math.min(limit, INITIAL_CAPACITY)];
            return l;
        }

        @Override
        Decision acquire(Log l, long now) {
            int nowMs = millis(now);
            expire(l, nowMs);
            if (l.size < limit) {
                if (l.size == l.times.length) {
                    grow(l);
                }
                l.times[(l.head + l.size) % l.times.length] = nowMs;
                l.size++;
                return Decision.allowed(limit - l.size);
            }
            // Full: the oldest entry leaves the window first, and with it room for one more.
            int age = nowMs - l.times[l.head];
            return new Decision.Denied(Math.max(1, windowMillis - age));
        }

        @Override
        boolean idle(Log l, long now) {
            if (l.size == 0) {
                return true;
            }
            int newest = l.times[(l.head + l.size - 1) % l.times.length];
            return millis(now) - newest >= windowMillis;
        }

        private void expire(Log l, int nowMs) {
            while (l.size > 0 && nowMs - l.times[l.head] >= windowMillis) {
                l.head = (l.head + 1) % l.times.length;
                l.size--;
            }
            if (l.size == 0) {
                l.head = 0;
            }
        }

        private void grow(Log l) {
            int[] bigger = new int[(int) Math.min(limit, 2L * l.times.length)];
            for (int i = 0; i < l.size; i++) {
                bigger[i] = l.times[(l.head + i) % l.times.length];
            }
            l.times = bigger;
            l.head = 0;
        }

        /** Milliseconds of a nanosecond clock, truncated to 32 bits: only differences are used. */
        private static int millis(long nanos) {
            return (int) Math.floorDiv(nanos, 1_000_000L);
        }
    }
}
