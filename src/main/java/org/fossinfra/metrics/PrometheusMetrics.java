package org.fossinfra.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code /metrics} endpoint's content: a Micrometer {@link PrometheusMeterRegistry} with the JVM binders, plus
 * one collector that reads the data plane and the host at scrape time.
 *
 * <p>Labels are bounded by configuration, never by traffic: frontend, backend, server, status class, core, mount,
 * interface. No path, no client address (the seed put the request path in a label, which grows without bound).
 * Latency histograms expose the 1, 2.5, 5 steps of each decade from {@link LatencyHistogram}, exact sums of its
 * finer buckets.
 */
public final class PrometheusMetrics {
    private static final String[] CLASSES = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public PrometheusMetrics(TrafficSource traffic, Telemetry telemetry) {
        // Two of Micrometer's names fail promtool's lint ("_count" on a gauge, "ns" as a unit); the host section
        // below says the same things.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"))
                .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        registry.getPrometheusRegistry().register((MultiCollector) () -> collect(traffic, telemetry));
    }

    /** Where other parts of the node register their own meters (e.g. the Redis store's refused keys). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The text exposition format (version 0.0.4), as Prometheus scrapes it. */
    public String scrape() {
        return registry.scrape();
    }

    private static MetricSnapshots collect(TrafficSource traffic, Telemetry telemetry) {
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();

        CounterSnapshot.Builder feRequests = CounterSnapshot.builder().name("foss_frontend_requests")
                .help("Requests received by a frontend");
        CounterSnapshot.Builder feResponses = CounterSnapshot.builder().name("foss_frontend_responses")
                .help("Responses sent by a frontend, by status class");
        CounterSnapshot.Builder feErrors = CounterSnapshot.builder().name("foss_frontend_errors")
                .help("Requests that failed in the proxy: refused at the edge, no server, upstream failure");
        CounterSnapshot.Builder feConnections = CounterSnapshot.builder().name("foss_frontend_connections")
                .help("Client connections accepted");
        GaugeSnapshot.Builder feLive = GaugeSnapshot.builder().name("foss_frontend_current_connections")
                .help("Client connections open now");
        HistogramSnapshot.Builder feLatency = HistogramSnapshot.builder().name("foss_frontend_request_duration_seconds")
                .help("Time from a request head to the end of its response, as clients saw it");
        for (TrafficSource.FrontendTraffic f : traffic.frontendTraffic()) {
            Labels l = Labels.of("frontend", f.name());
            feRequests.dataPoint(counter(l, f.counters().requests()));
            for (int c = 0; c < 6; c++) {
                feResponses.dataPoint(counter(l.add("code", CLASSES[c]), f.counters().responses(c)));
            }
            feErrors.dataPoint(counter(l, f.counters().errors()));
            feConnections.dataPoint(counter(l, f.counters().connections()));
            feLive.dataPoint(gauge(l, f.liveConnections()));
            feLatency.dataPoint(histogram(l, f.requestLatency().snapshot()));
        }
        out.add(feRequests.build());
        out.add(feResponses.build());
        out.add(feErrors.build());
        out.add(feConnections.build());
        out.add(feLive.build());
        out.add(feLatency.build());

        CounterSnapshot.Builder beRequests = CounterSnapshot.builder().name("foss_backend_requests")
                .help("Requests routed to a backend");
        CounterSnapshot.Builder beResponses = CounterSnapshot.builder().name("foss_backend_responses")
                .help("Responses from a backend, by status class");
        CounterSnapshot.Builder beErrors = CounterSnapshot.builder().name("foss_backend_errors")
                .help("Requests routed to a backend that failed in the proxy");
        CounterSnapshot.Builder beRetries = CounterSnapshot.builder().name("foss_backend_retries")
                .help("Connection attempts retried");
        CounterSnapshot.Builder beRedispatches = CounterSnapshot.builder().name("foss_backend_redispatches")
                .help("Retries sent to another server");
        GaugeSnapshot.Builder beQueue = GaugeSnapshot.builder().name("foss_backend_queue_length")
                .help("Requests waiting for a free server slot now");
        HistogramSnapshot.Builder beLatency = HistogramSnapshot.builder().name("foss_backend_request_duration_seconds")
                .help("Time from a request head to the end of its response, per backend");
        HistogramSnapshot.Builder beUpstream = HistogramSnapshot.builder().name("foss_backend_response_time_seconds")
                .help("Time from sending the request to a server to its response head");
        CounterSnapshot.Builder srvResponses = CounterSnapshot.builder().name("foss_server_responses")
                .help("Responses from a server, by status class");
        GaugeSnapshot.Builder srvActive = GaugeSnapshot.builder().name("foss_server_current_requests")
                .help("Requests in flight on a server now (least-connections and maxconn use this)");
        GaugeSnapshot.Builder srvUp = GaugeSnapshot.builder().name("foss_server_up")
                .help("1 when the server takes new requests (UP), 0 when DOWN, DRAIN or MAINT");
        GaugeSnapshot.Builder srvWeight = GaugeSnapshot.builder().name("foss_server_weight").help("Current weight");
        for (TrafficSource.BackendTraffic b : traffic.backendTraffic()) {
            Labels l = Labels.of("backend", b.name());
            beRequests.dataPoint(counter(l, b.counters().requests()));
            for (int c = 0; c < 6; c++) {
                beResponses.dataPoint(counter(l.add("code", CLASSES[c]), b.counters().responses(c)));
            }
            beErrors.dataPoint(counter(l, b.counters().errors()));
            beRetries.dataPoint(counter(l, b.counters().retries()));
            beRedispatches.dataPoint(counter(l, b.counters().redispatches()));
            beQueue.dataPoint(gauge(l, b.queueLength()));
            beLatency.dataPoint(histogram(l, b.totalLatency().snapshot()));
            beUpstream.dataPoint(histogram(l, b.upstreamLatency().snapshot()));
            for (TrafficSource.ServerTraffic s : b.servers()) {
                Labels sl = l.add("server", s.name());
                for (int c = 0; c < 6; c++) {
                    srvResponses.dataPoint(counter(sl.add("code", CLASSES[c]), s.counters().responses(c)));
                }
                srvActive.dataPoint(gauge(sl, s.active()));
                srvUp.dataPoint(gauge(sl, s.status().equals("UP") ? 1 : 0));
                srvWeight.dataPoint(gauge(sl, s.weight()));
            }
        }
        out.add(beRequests.build());
        out.add(beResponses.build());
        out.add(beErrors.build());
        out.add(beRetries.build());
        out.add(beRedispatches.build());
        out.add(beQueue.build());
        out.add(beLatency.build());
        out.add(beUpstream.build());
        out.add(srvResponses.build());
        out.add(srvActive.build());
        out.add(srvUp.build());
        out.add(srvWeight.build());

        Tick t = telemetry == null ? null : telemetry.latest();
        if (t != null) {
            host(t, out);
        }
        return new MetricSnapshots(out);
    }

    private static void host(Tick t, List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out) {
        HostSample h = t.host();
        GaugeSnapshot.Builder cpu = GaugeSnapshot.builder().name("foss_host_cpu_percent")
                .help("CPU busy share over the last second, per core and in total (core=\"all\")");
        cpu.dataPoint(gauge(Labels.of("core", "all"), h.cpuPercent()));
        for (int i = 0; i < h.cpuPerCore().length; i++) {
            cpu.dataPoint(gauge(Labels.of("core", Integer.toString(i)), h.cpuPerCore()[i]));
        }
        out.add(cpu.build());
        out.add(GaugeSnapshot.builder().name("foss_host_memory_used_percent")
                .help("(MemTotal - MemAvailable) / MemTotal").dataPoint(gauge(Labels.EMPTY, h.memUsedPercent())).build());
        out.add(GaugeSnapshot.builder().name("foss_host_memory_total_bytes").help("MemTotal")
                .dataPoint(gauge(Labels.EMPTY, h.memTotalBytes())).build());
        out.add(GaugeSnapshot.builder().name("foss_host_load").help("Load averages")
                .dataPoint(gauge(Labels.of("period", "1m"), h.load1()))
                .dataPoint(gauge(Labels.of("period", "5m"), h.load5()))
                .dataPoint(gauge(Labels.of("period", "15m"), h.load15())).build());
        GaugeSnapshot.Builder disk = GaugeSnapshot.builder().name("foss_host_disk_used_percent")
                .help("Used share of each mounted file system");
        for (HostSample.Disk d : h.disks()) {
            disk.dataPoint(gauge(Labels.of("mount", d.mount()), d.usedPercent()));
        }
        out.add(disk.build());
        CounterSnapshot.Builder bytes = CounterSnapshot.builder().name("foss_host_network_bytes")
                .help("Bytes through each network interface");
        CounterSnapshot.Builder packets = CounterSnapshot.builder().name("foss_host_network_packets")
                .help("Packets through each network interface");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("foss_host_network_up")
                .help("1 when the interface is up");
        for (HostSample.Interface i : h.interfaces()) {
            bytes.dataPoint(counter(Labels.of("interface", i.name(), "direction", "rx"), i.rxBytes()));
            bytes.dataPoint(counter(Labels.of("interface", i.name(), "direction", "tx"), i.txBytes()));
            packets.dataPoint(counter(Labels.of("interface", i.name(), "direction", "rx"), i.rxPackets()));
            packets.dataPoint(counter(Labels.of("interface", i.name(), "direction", "tx"), i.txPackets()));
            up.dataPoint(gauge(Labels.of("interface", i.name()), i.up() ? 1 : 0));
        }
        out.add(bytes.build());
        out.add(packets.build());
        out.add(up.build());
        GaugeSnapshot.Builder delay = GaugeSnapshot.builder().name("foss_event_loop_delay_seconds")
                .help("How late each event loop runs a scheduled task; grows while a loop is blocked");
        for (int i = 0; i < t.eventLoopDelaysSeconds().length; i++) {
            delay.dataPoint(gauge(Labels.of("loop", Integer.toString(i)), t.eventLoopDelaysSeconds()[i]));
        }
        out.add(delay.build());
    }

    private static CounterSnapshot.CounterDataPointSnapshot counter(Labels l, double v) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(v).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels l, double v) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(v).build();
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot histogram(Labels l, LatencyHistogram.Snapshot s) {
        double[] fine = LatencyHistogram.BOUNDS;
        // Coarse buckets: the 1, 2.5, 5 steps of each decade; each coarse count is the sum of the fine ones below it.
        List<Double> bounds = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long acc = 0;
        for (int i = 0; i < fine.length; i++) {
            acc += s.counts()[i];
            double mantissa = fine[i] / Math.pow(10, Math.floor(Math.log10(fine[i]) + 1e-9));
            if (Math.abs(mantissa - 1) < 1e-6 || Math.abs(mantissa - 2.5) < 1e-6 || Math.abs(mantissa - 5) < 1e-6
                    || i == fine.length - 1) {
                bounds.add(fine[i]);
                counts.add(acc);
                acc = 0;
            }
        }
        bounds.add(Double.POSITIVE_INFINITY);
        counts.add(acc + s.counts()[fine.length]);
        return HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(l)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                .sum(s.sumNanos() / 1e9).build();
    }
}
