package org.fossinfra.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's 1 Hz sampler: once a second it reads the host, the JVM, the event loops and the data plane's counters
 * and histograms, turns totals into rates and histograms into percentiles over that second, records the chart
 * series in {@link History}, and hands the {@link Tick} to every listener. Work is done once per second whatever the
 * number of viewers: the dashboard's live stream fans this one tick out.
 *
 * <p>Runs on a daemon thread of its own, never on an event loop (reading /proc and statfs is file I/O). A listener
 * that throws is logged and kept.
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("telemetry");

    /** The chart series kept in history, in this order. */
    public static final List<String> SERIES = List.of("cpu", "mem", "netRx", "netTx", "connections", "rps",
            "rps2xx", "rps3xx", "rps4xx", "rps5xx", "p50", "p95", "p99", "loopDelay", "heap");

    private final TrafficSource traffic;
    private final HostCollector host;
    private final EventLoopMonitor loops;
    private final History history = new History(SERIES);
    private final List<Consumer<Tick>> listeners = new CopyOnWriteArrayList<>();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Tick latest;

    // Previous totals, by name, to turn into rates.
    private Map<String, long[]> lastCounts = new HashMap<>();
    private Map<String, LatencyHistogram.Snapshot> lastHistograms = new HashMap<>();
    private long lastGcMillis = -1;
    private long lastNanos;

    public Telemetry(TrafficSource traffic, HostCollector host, EventLoopMonitor loops) {
        this.traffic = traffic;
        this.host = host;
        this.loops = loops;
        this.thread = new Thread(this::run, "telemetry");
        this.thread.setDaemon(true);
    }

    public Telemetry start() {
        sample(); // a first reading, so that rates start from now and latest() is never null
        thread.start();
        return this;
    }

    public History history() {
        return history;
    }

    /** The newest tick. */
    public Tick latest() {
        return latest;
    }

    /** Calls {@code listener} with every tick from now on, on the sampler thread; close the result to stop. */
    public AutoCloseable onTick(Consumer<Tick> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void run() {
        while (running) {
            long now = System.currentTimeMillis();
            try {
                Thread.sleep(1000 - now % 1000); // tick on the second
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            try {
                Tick t = sample();
                for (Consumer<Tick> l : listeners) {
                    try {
                        l.accept(t);
                    } catch (RuntimeException e) {
                        log.warn("tick listener failed: {}", e.toString());
                    }
                }
            } catch (RuntimeException e) {
                log.warn("sampling failed: {}", e.toString());
            }
        }
    }

    /** Takes one reading now (the sampler thread calls it every second; tests may call it directly). */
    public synchronized Tick sample() {
        long nanos = System.nanoTime();
        double seconds = lastNanos == 0 ? 1 : Math.max(0.001, (nanos - lastNanos) / 1e9);
        lastNanos = nanos;
        HostSample h = host.sample();
        Tick.Jvm jvm = jvm();
        double[] delays = loops == null ? new double[0] : loops.delaysSeconds();

        Map<String, long[]> counts = new HashMap<>();
        Map<String, LatencyHistogram.Snapshot> histograms = new HashMap<>();
        List<Tick.FrontendRate> frontends = new ArrayList<>();
        int live = 0;
        double rps = 0;
        double[] byClass = new double[6];
        LatencyHistogram.Snapshot all = null;
        for (TrafficSource.FrontendTraffic f : traffic.frontendTraffic()) {
            String key = "f:" + f.name();
            double[] r = rates(key, f.counters(), counts, seconds);
            LatencyHistogram.Snapshot d = delta(key, f.requestLatency().snapshot(), histograms);
            all = all == null ? d : plus(all, d);
            live += f.liveConnections();
            rps += r[0];
            for (int c = 0; c < 6; c++) {
                byClass[c] += r[2 + c];
            }
            frontends.add(new Tick.FrontendRate(f.name(), f.liveConnections(), r[0], r[1], classes(r),
                    Tick.Latency.of(d), f.counters().requests()));
        }
        List<Tick.BackendRate> backends = new ArrayList<>();
        for (TrafficSource.BackendTraffic b : traffic.backendTraffic()) {
            String key = "b:" + b.name();
            double[] r = rates(key, b.counters(), counts, seconds);
            LatencyHistogram.Snapshot total = delta(key, b.totalLatency().snapshot(), histograms);
            LatencyHistogram.Snapshot upstream = delta(key + ":up", b.upstreamLatency().snapshot(), histograms);
            List<Tick.ServerRate> servers = new ArrayList<>();
            for (TrafficSource.ServerTraffic s : b.servers()) {
                double[] sr = rates("s:" + b.name() + "/" + s.name(), s.counters(), counts, seconds);
                double responses = 0;
                for (int c = 0; c < 6; c++) {
                    responses += sr[2 + c];
                }
                servers.add(new Tick.ServerRate(s.name(), s.status(), s.weight(), s.active(), responses,
                        sr[2 + 5], responsesTotal(s.counters())));
            }
            backends.add(new Tick.BackendRate(b.name(), b.queueLength(), r[0], r[1], classes(r), Tick.Latency.of(total),
                    Tick.Latency.of(upstream), b.counters().requests(), servers));
        }
        lastCounts = counts;
        lastHistograms = histograms;
        Tick.Latency latency = all == null ? Tick.Latency.NONE : Tick.Latency.of(all);

        double rx = 0;
        double tx = 0;
        for (HostSample.Interface i : h.interfaces()) {
            rx += i.rxBytesPerSec();
            tx += i.txBytesPerSec();
        }
        double maxDelay = 0;
        for (double d : delays) {
            maxDelay = Math.max(maxDelay, d);
        }
        Tick t = new Tick(h.timeMillis() / 1000, h, jvm, delays, live, rps, byClass, latency, frontends, backends);
        history.record(t.epochSecond(), new double[] {h.cpuPercent(), h.memUsedPercent(), rx, tx, live, rps,
            byClass[2], byClass[3], byClass[4], byClass[5], ms(latency.p50()), ms(latency.p95()), ms(latency.p99()),
            maxDelay * 1000, jvm.heapUsedBytes()});
        latest = t;
        return t;
    }

    private static double ms(double seconds) {
        return Double.isNaN(seconds) ? Double.NaN : seconds * 1000;
    }

    /** [requests/s, errors/s, class0..class5 /s] since the previous reading of {@code key}. */
    private double[] rates(String key, Counters c, Map<String, long[]> into, double seconds) {
        long[] now = {c.requests(), c.errors(), c.responses(0), c.responses(1), c.responses(2), c.responses(3),
            c.responses(4), c.responses(5)};
        into.put(key, now);
        long[] before = lastCounts.get(key);
        double[] r = new double[now.length];
        if (before != null) {
            for (int i = 0; i < r.length; i++) {
                r[i] = Math.max(0, now[i] - before[i]) / seconds;
            }
        }
        return r;
    }

    private static double[] classes(double[] r) {
        double[] out = new double[6];
        System.arraycopy(r, 2, out, 0, 6);
        return out;
    }

    private static long responsesTotal(Counters c) {
        long n = 0;
        for (int i = 0; i < 6; i++) {
            n += c.responses(i);
        }
        return n;
    }

    private LatencyHistogram.Snapshot delta(String key, LatencyHistogram.Snapshot now,
                                            Map<String, LatencyHistogram.Snapshot> into) {
        into.put(key, now);
        LatencyHistogram.Snapshot before = lastHistograms.get(key);
        return before == null ? now.minus(now) : now.minus(before);
    }

    private static LatencyHistogram.Snapshot plus(LatencyHistogram.Snapshot a, LatencyHistogram.Snapshot b) {
        long[] c = new long[a.counts().length];
        for (int i = 0; i < c.length; i++) {
            c[i] = a.counts()[i] + b.counts()[i];
        }
        return new LatencyHistogram.Snapshot(c, a.sumNanos() + b.sumNanos());
    }

    private Tick.Jvm jvm() {
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : gcs) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        double gcLast = lastGcMillis < 0 ? 0 : gcMillis - lastGcMillis;
        lastGcMillis = gcMillis;
        var heap = memory.getHeapMemoryUsage();
        return new Tick.Jvm(heap.getUsed(), heap.getMax(), memory.getNonHeapMemoryUsage().getUsed(), gcCount, gcLast,
                Thread.activeCount(), ManagementFactory.getRuntimeMXBean().getUptime());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
