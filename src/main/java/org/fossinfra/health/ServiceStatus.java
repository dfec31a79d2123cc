package org.fossinfra.health;

import java.util.Objects;
import java.util.Optional;

/**
 * The latest view of one service, for the admin API and the dashboard. It never holds a password: {@code target} is
 * the configured target's {@link org.fossinfra.config.ServiceConfig.Target#describe() description}.
 *
 * @param name             the service's name in the config
 * @param type             postgres, redis, matrix, http or tcp
 * @param target           where the check goes, e.g. {@code postgresql://foss@127.0.0.1:5432/foss}
 * @param state            what the recent checks say
 * @param lastResult       the last check's outcome, e.g. "PONG in 2 ms", "connection refused"; "not checked yet"
 * @param latencyMs        how long the last check took (until it failed, for a failure); 0 before the first
 * @param lastError        the most recent failure's text, kept after the service recovers; empty if none yet
 * @param lastErrorMillis  epoch millis of that failure, 0 if none
 * @param lastCheckMillis  epoch millis when the last check completed, 0 before the first
 * @param lastChangeMillis epoch millis of the last state change (the first check counts), 0 before the first
 * @param counts           totals and the window's make-up
 */
public record ServiceStatus(String name, String type, String target, ServiceState state, String lastResult,
                            long latencyMs, Optional<String> lastError, long lastErrorMillis, long lastCheckMillis,
                            long lastChangeMillis, Counts counts) {
    public ServiceStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastResult, "lastResult");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(counts, "counts");
    }

    /**
     * @param checks              checks completed since this service (with this config) started
     * @param failures            of which failed
     * @param consecutiveFailures failed checks in a row, up to the last one
     * @param recentFailed        failed checks among the last {@code window}
     * @param recentSlow          passing but slow checks among the last {@code window}
     * @param window              how many recent checks the rule looks at
     */
    public record Counts(long checks, long failures, int consecutiveFailures, int recentFailed, int recentSlow,
                         int window) {
        public Counts {
            if (checks < 0 || failures < 0 || failures > checks) {
                throw new IllegalArgumentException("failures: " + failures + " of " + checks
                        + " checks (expected: 0..checks)");
            }
        }
    }
}
