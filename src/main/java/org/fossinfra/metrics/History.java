package org.fossinfra.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * In-memory history of a fixed set of series for the dashboard's charts: one point a second for the last 15 minutes
 * and one point a minute (the average of its seconds) for the last 24 hours, in fixed-size rings. So a page opened
 * now already has history, unlike LiveDashboard's charts, which start empty. Memory is fixed at construction:
 * (900 + 1440) points × series × 8 bytes, about 18 KiB a series.
 *
 * <p>One writer (the 1 Hz sampler) and any number of readers; a short lock guards both.
 */
public final class History {
    public static final int SECONDS = 15 * 60;
    public static final int MINUTES = 24 * 60;

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();
    private final Ring seconds;
    private final Ring minutes;
    private final double[] minuteSum;
    private int minuteCount;
    private long currentMinute = -1;

    public History(List<String> names) {
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            if (index.put(names.get(i), i) != null) {
                throw new IllegalArgumentException("series '" + names.get(i) + "' named twice");
            }
        }
        seconds = new Ring(SECONDS, names.size());
        minutes = new Ring(MINUTES, names.size());
        minuteSum = new double[names.size()];
    }

    public List<String> names() {
        return names;
    }

    /** Records the values of every series (in {@link #names()} order) at {@code epochSecond}. */
    public synchronized void record(long epochSecond, double[] values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException("values: " + values.length + " (expected: " + names.size() + ")");
        }
        seconds.add(epochSecond, values);
        long minute = Math.floorDiv(epochSecond, 60);
        if (currentMinute != -1 && minute != currentMinute && minuteCount > 0) {
            double[] avg = new double[minuteSum.length];
            for (int i = 0; i < avg.length; i++) {
                avg[i] = minuteSum[i] / minuteCount;
            }
            minutes.add(currentMinute * 60, avg);
            Arrays.fill(minuteSum, 0);
            minuteCount = 0;
        }
        currentMinute = minute;
        for (int i = 0; i < values.length; i++) {
            minuteSum[i] += values[i];
        }
        minuteCount++;
    }

    /** Points of one series, oldest first. */
    public record Points(long[] epochSeconds, double[] values) {
        public int size() {
            return values.length;
        }
    }

    /** Up to {@code n} per-second points of {@code series}, oldest first. */
    public synchronized Points lastSeconds(String series, int n) {
        return seconds.last(column(series), n);
    }

    /** Up to {@code n} per-minute points of {@code series}, oldest first (the current minute isn't in yet). */
    public synchronized Points lastMinutes(String series, int n) {
        return minutes.last(column(series), n);
    }

    private int column(String series) {
        Integer i = index.get(series);
        if (i == null) {
            throw new IllegalArgumentException("no series '" + series + "'; series: " + names);
        }
        return i;
    }

    /** A ring of rows: a timestamp and one value per series. */
    private static final class Ring {
        private final long[] times;
        private final double[][] values;
        private int next;
        private int size;

        Ring(int capacity, int columns) {
            times = new long[capacity];
            values = new double[capacity][columns];
        }

        void add(long time, double[] row) {
            times[next] = time;
            System.arraycopy(row, 0, values[next], 0, row.length);
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }

        Points last(int column, int n) {
            int count = Math.min(n, size);
            long[] t = new long[count];
            double[] v = new double[count];
            int start = Math.floorMod(next - count, times.length);
            for (int i = 0; i < count; i++) {
                int at = (start + i) % times.length;
                t[i] = times[at];
                v[i] = values[at][column];
            }
            return new Points(t, v);
        }
    }
}
