package org.fossinfra.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed buckets, cheap enough for every request on the hot path: a binary search over 60
 * bounds and one {@link LongAdder} increment (striped, so the event loops don't contend).
 *
 * <p>Bounds go from 100 µs to 60 s in steps of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade: at most a third
 * apart, so a percentile read from it is within about 15% of the true value, and memory is fixed whatever the
 * traffic (the seed's exporter kept every sample). Prometheus gets the 1, 2.5, 5 steps of each decade as its
 * buckets, which are exact sums of the fine ones.
 *
 * <p>Read with {@link #snapshot()}; percentiles over an interval come from the difference of two snapshots.
 */
public final class LatencyHistogram {
    private static final double[] STEPS = {1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
    /** Upper bounds in seconds (inclusive); the last bucket, beyond the last bound, is +Inf. */
    static final double[] BOUNDS;
    private static final long[] BOUNDS_NANOS;

    static {
        double[] b = new double[70];
        int n = 0;
        for (int exp = -4; exp <= 1; exp++) {
            for (double s : STEPS) {
                double v = s * Math.pow(10, exp);
                if (v <= 60.0 + 1e-9) {
                    b[n++] = Double.parseDouble(String.format("%.6g", v));
                }
            }
        }
        BOUNDS = java.util.Arrays.copyOf(b, n);
        BOUNDS_NANOS = new long[n];
        for (int i = 0; i < n; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    public void record(long nanos) {
        int lo = 0;
        int hi = BOUNDS_NANOS.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (BOUNDS_NANOS[mid] < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        counts[lo].increment();
        sumNanos.add(nanos);
    }

    public Snapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new Snapshot(c, sumNanos.sum());
    }

    /** The upper bounds in seconds, ascending; bucket i counts values in (bound[i-1], bound[i]]. */
    public static double[] bounds() {
        return BOUNDS.clone();
    }

    /** Counts per bucket (the last one beyond the last bound) and the sum of all values. */
    public record Snapshot(long[] counts, long sumNanos) {
        public long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /** What happened between {@code earlier} and this snapshot. */
        public Snapshot minus(Snapshot earlier) {
            long[] d = new long[counts.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = counts[i] - earlier.counts[i];
            }
            return new Snapshot(d, sumNanos - earlier.sumNanos);
        }

        /**
         * The q-quantile (0 < q ≤ 1) in seconds, interpolated geometrically inside its bucket; NaN when empty. A
         * value beyond the last bound reads as the last bound (60 s).
         */
        public double quantile(double q) {
            long total = count();
            if (total == 0) {
                return Double.NaN;
            }
            double rank = q * total;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    continue;
                }
                if (seen + counts[i] >= rank) {
                    if (i == BOUNDS.length) {
                        return BOUNDS[BOUNDS.length - 1];
                    }
                    double upper = BOUNDS[i];
                    double lower = i == 0 ? upper / 2 : BOUNDS[i - 1];
                    double within = (rank - seen) / counts[i];
                    return lower * Math.pow(upper / lower, within);
                }
                seen += counts[i];
            }
            return BOUNDS[BOUNDS.length - 1];
        }

        public double meanSeconds() {
            long n = count();
            return n == 0 ? Double.NaN : sumNanos / 1e9 / n;
        }
    }
}
