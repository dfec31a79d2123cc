package org.fossinfra.health;

/**
 * The latest view of one server's check, for the admin API and the dashboard.
 *
 * @param lastResult      e.g. "HTTP 200 in 3 ms", "connection refused", "timeout after 1000 ms"
 * @param lastOk          whether the last check passed
 * @param lastDurationMs  how long the last check took
 * @param consecutive     how many checks in a row gave {@code lastOk}
 * @param checks          checks run so far
 * @param lastCheckMillis epoch millis of the last check, 0 before the first
 */
public record CheckStatus(String lastResult, boolean lastOk, long lastDurationMs, int consecutive, long checks,
                          long lastCheckMillis) {
    public static final CheckStatus NONE = new CheckStatus("not checked yet", true, 0, 0, 0, 0);
}
