package org.fossinfra.config;

import java.time.Duration;
import java.util.List;

/**
 * An active HTTP check, HAProxy's {@code option httpchk} with {@code inter}, {@code rise} and {@code fall}.
 *
 * @param method   HTTP method, e.g. GET or HEAD
 * @param path     request target, e.g. /health
 * @param host     Host header to send, or null for the server's address
 * @param expect   statuses counted as success
 * @param interval time between two checks of one server
 * @param timeout  a check taking longer fails
 * @param rise     consecutive successes to mark a down server up
 * @param fall     consecutive failures to mark an up server down
 */
public record HealthCheckConfig(String method, String path, String host, StatusRanges expect, Duration interval,
                                Duration timeout, int rise, int fall) {

    /** Inclusive status ranges, e.g. "200", "2xx", "200-399" or a list of them. */
    public record StatusRanges(List<int[]> ranges) {
        public StatusRanges {
            ranges = List.copyOf(ranges);
        }

        public boolean matches(int status) {
            for (int[] r : ranges) {
                if (status >= r[0] && status <= r[1]) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof StatusRanges other) || other.ranges.size() != ranges.size()) {
                return false;
            }
            for (int i = 0; i < ranges.size(); i++) {
                if (!java.util.Arrays.equals(ranges.get(i), other.ranges.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int[] r : ranges) {
                h = 31 * h + java.util.Arrays.hashCode(r);
            }
            return h;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (int[] r : ranges) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(r[0] == r[1] ? Integer.toString(r[0]) : r[0] + "-" + r[1]);
            }
            return sb.toString();
        }
    }
}
