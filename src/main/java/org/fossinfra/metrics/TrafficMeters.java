package org.fossinfra.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane's meters, by name, for the life of the process: a frontend, backend or server keeps its counters
 * and histograms across reloads (Prometheus counters must only go up), and one that a reload removes keeps its last
 * values until it comes back.
 */
public final class TrafficMeters {
    /** A frontend's totals and the latency its clients saw, from the request head to the end of the response. */
    public record FrontendMeters(Counters counters, LatencyHistogram requestLatency) {
    }

    /**
     * A backend's totals, the latency from its request head to the end of the response, and the time the server
     * took to start answering (from the request sent to the response head).
     */
    public record BackendMeters(Counters counters, LatencyHistogram totalLatency, LatencyHistogram upstreamLatency) {
    }

    private final ConcurrentHashMap<String, FrontendMeters> frontends = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, BackendMeters> backends = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counters> servers = new ConcurrentHashMap<>();

    public FrontendMeters frontend(String name) {
        return frontends.computeIfAbsent(name, n -> new FrontendMeters(new Counters(), new LatencyHistogram()));
    }

    public BackendMeters backend(String name) {
        return backends.computeIfAbsent(name,
                n -> new BackendMeters(new Counters(), new LatencyHistogram(), new LatencyHistogram()));
    }

    public Counters server(String backend, String server) {
        return servers.computeIfAbsent(backend + "/" + server, n -> new Counters());
    }
}
