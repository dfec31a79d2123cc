package org.fossinfra.metrics;

import java.util.List;

/**
 * Everything the dashboard shows, computed once a second for all viewers: the host, the JVM, the event loops, and
 * traffic as rates and latency percentiles over the last second. Latencies are in seconds and NaN when no request
 * completed in the second.
 *
 * @param rpsByClass responses per second by status class, index 1..5 (index 0: others)
 */
public record Tick(long epochSecond, HostSample host, Jvm jvm, double[] eventLoopDelaysSeconds,
                   int liveConnections, double requestsPerSec, double[] rpsByClass, Latency latency,
                   List<FrontendRate> frontends, List<BackendRate> backends) {

    /** p50, p95, p99 and mean of the requests completed in the second. */
    public record Latency(double p50, double p95, double p99, double mean) {
        static final Latency NONE = new Latency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        static Latency of(LatencyHistogram.Snapshot s) {
            return s.count() == 0 ? NONE
                    : new Latency(s.quantile(0.5), s.quantile(0.95), s.quantile(0.99), s.meanSeconds());
        }
    }

    /** Heap, GC and threads of this process. */
    public record Jvm(long heapUsedBytes, long heapMaxBytes, long nonHeapUsedBytes, long gcCount,
                      double gcMillisLastSecond, int threads, long uptimeMillis) {
    }

    public record FrontendRate(String name, int liveConnections, double requestsPerSec, double errorsPerSec,
                               double[] rpsByClass, Latency latency, long totalRequests) {
    }

    public record BackendRate(String name, int queueLength, double requestsPerSec, double errorsPerSec,
                              double[] rpsByClass, Latency latency, Latency upstreamLatency, long totalRequests,
                              List<ServerRate> servers) {
    }

    public record ServerRate(String name, String status, int weight, int active, double requestsPerSec,
                             double errorsPerSec, long totalRequests) {
    }
}
