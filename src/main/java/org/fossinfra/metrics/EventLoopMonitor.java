package org.fossinfra.metrics;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Event-loop delay: how late a task scheduled on each loop runs, like Node.js's {@code eventLoopUtilization} /
 * Vert.x's blocked-thread checker. Every {@value #PERIOD_MILLIS} ms a heartbeat is scheduled on every loop; the delay
 * is how late it ran. A loop that is blocked right now can't run its heartbeat, so {@link #delaysSeconds()} also
 * counts the time since the last heartbeat beyond the period: a stuck loop shows a delay that keeps growing, not the
 * last good value.
 */
public final class EventLoopMonitor implements AutoCloseable {
    static final long PERIOD_MILLIS = 100;
    private static final long PERIOD_NANOS = PERIOD_MILLIS * 1_000_000;

    private final AtomicLongArray lastBeat;
    private final AtomicLongArray lastDelay;
    private final ScheduledFuture<?>[] tasks;

    public EventLoopMonitor(List<? extends ScheduledExecutorService> loops) {
        int n = loops.size();
        lastBeat = new AtomicLongArray(n);
        lastDelay = new AtomicLongArray(n);
        tasks = new ScheduledFuture<?>[n];
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            lastBeat.set(i, now);
            tasks[i] = schedule(loops.get(i), i, now + PERIOD_NANOS);
        }
    }

    private ScheduledFuture<?> schedule(ScheduledExecutorService loop, int i, long due) {
        return loop.schedule(() -> {
            long now = System.nanoTime();
            lastDelay.set(i, Math.max(0, now - due));
            lastBeat.set(i, now);
            tasks[i] = schedule(loop, i, now + PERIOD_NANOS);
        }, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Per loop: the delay of its last heartbeat, or the time it has been stuck since, whichever is larger. */
    public double[] delaysSeconds() {
        long now = System.nanoTime();
        double[] out = new double[lastBeat.length()];
        for (int i = 0; i < out.length; i++) {
            long stuck = now - lastBeat.get(i) - PERIOD_NANOS;
            out[i] = Math.max(lastDelay.get(i), Math.max(0, stuck)) / 1e9;
        }
        return out;
    }

    @Override
    public void close() {
        for (ScheduledFuture<?> t : tasks) {
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
