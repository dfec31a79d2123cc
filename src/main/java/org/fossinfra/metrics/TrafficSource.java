package org.fossinfra.metrics;

import java.util.List;

/**
 * What the data plane exposes for measurement: live views of its frontends, backends and servers, with their
 * counters and latency histograms. The proxy implements it; the sampler, the Prometheus endpoint and the dashboard
 * read it. Lists are snapshots of the current configuration; the counters inside are live.
 */
public interface TrafficSource {

    List<FrontendTraffic> frontendTraffic();

    List<BackendTraffic> backendTraffic();

    /** A frontend: its client connections now, and what it has answered. */
    record FrontendTraffic(String name, int liveConnections, Counters counters, LatencyHistogram requestLatency) {
    }

    /**
     * A backend: totals, the time from request to complete response ({@code totalLatency}) and from sending the
     * request to the server's response head ({@code upstreamLatency}), the queue now, and its servers.
     */
    record BackendTraffic(String name, Counters counters, LatencyHistogram totalLatency, LatencyHistogram upstreamLatency,
                   int queueLength, List<ServerTraffic> servers) {
    }

    /** A server: requests in flight now, state, and responses by status class. */
    record ServerTraffic(String name, String status, int weight, int active, Counters counters) {
    }
}
