package org.fossinfra.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.fossinfra.config.HealthCheckConfig.StatusRanges;

/**
 * A service the node watches beside its backends (PostgreSQL, Redis, a Matrix homeserver, any HTTP endpoint or TCP
 * port), and how its state is decided from the recent checks. The service takes no traffic from the proxy; its state
 * only informs (the admin API, events, later the dashboard and alerts).
 *
 * <p>The rule, over the results of the last {@code window} checks, each OK, SLOW (passed, but took longer than
 * {@code degradedAfter}) or FAILED: UNHEALTHY when the last {@code unhealthyAfter} checks all failed; otherwise
 * DEGRADED when any of the last {@code window} checks failed or was slow; otherwise HEALTHY.
 *
 * @param name           unique among services; the subject of its events
 * @param target         what to check, by type
 * @param interval       time from the end of one check to the start of the next
 * @param timeout        a check taking longer fails; at most {@code interval}
 * @param degradedAfter  a passing check slower than this counts as slow; below {@code timeout}
 * @param window         how many recent checks decide "partly failing" (1..100)
 * @param unhealthyAfter failed checks in a row that make the service unhealthy (1..window)
 */
public record ServiceConfig(String name, Target target, Duration interval, Duration timeout, Duration degradedAfter,
                            int window, int unhealthyAfter) {
    /** The most recent checks a service remembers; a larger window only delays recovery further. */
    public static final int MAX_WINDOW = 100;
    /** Every type, in the order the docs list them. */
    public static final List<String> TYPES = List.of("postgres", "redis", "matrix", "http", "tcp");

    public ServiceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        requirePositive("interval", interval);
        requirePositive("timeout", timeout);
        requirePositive("degradedAfter", degradedAfter);
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: at most interval " + interval + ")");
        }
        if (degradedAfter.compareTo(timeout) >= 0) {
            throw new IllegalArgumentException("degradedAfter: " + degradedAfter + " (expected: below timeout "
                    + timeout + ")");
        }
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window: " + window + " (expected: 1.." + MAX_WINDOW + ")");
        }
        if (unhealthyAfter < 1 || unhealthyAfter > window) {
            throw new IllegalArgumentException("unhealthyAfter: " + unhealthyAfter + " (expected: 1.." + window + ")");
        }
    }

    /** {@code postgres}, {@code redis}, {@code matrix}, {@code http} or {@code tcp}, as written in the config. */
    public String type() {
        return target.type();
    }

    private static void requirePositive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + ": " + d + " (expected: above zero)");
        }
    }

    /** What to check. Each kind says where it points without any secret, for the API, events and logs. */
    public sealed interface Target permits Postgres, Redis, Matrix, Http, Tcp {
        /** The type's name in the config. */
        String type();

        /** Where the check goes, never with a password: {@code postgresql://foss@db1:5432/foss}. */
        String describe();
    }

    /**
     * {@code SELECT 1} over a fresh connection, with password (SCRAM or MD5) or trust authentication.
     *
     * @param password empty for none (trust authentication)
     */
    public record Postgres(HostPort address, String database, String user, Optional<String> password) implements Target {
        public Postgres {
            Objects.requireNonNull(address, "address");
            requireText("database", database);
            requireText("user", user);
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String type() {
            return "postgres";
        }

        @Override
        public String describe() {
            return "postgresql://" + user + "@" + address + "/" + database;
        }

        @Override
        public String toString() {
            return "Postgres[" + describe() + (password.isPresent() ? ", password=***]" : "]");
        }
    }

    /**
     * {@code PING} (after {@code AUTH} when a password is set) over a fresh connection.
     *
     * @param password empty for none
     */
    public record Redis(HostPort address, Optional<String> password) implements Target {
        public Redis {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String type() {
            return "redis";
        }

        @Override
        public String describe() {
            return "redis://" + address;
        }

        @Override
        public String toString() {
            return "Redis[" + address + (password.isPresent() ? ", password=***]" : "]");
        }
    }

    /**
     * {@code GET <baseUrl>/_matrix/client/versions}: a homeserver answers 200 with a JSON {@code versions} list.
     *
     * @param baseUrl http or https, no trailing slash, e.g. {@code https://matrix.example.org}
     */
    public record Matrix(URI baseUrl) implements Target {
        public static final String VERSIONS_PATH = "/_matrix/client/versions";

        public Matrix {
            requireHttpUrl("baseUrl", baseUrl);
        }

        @Override
        public String type() {
            return "matrix";
        }

        @Override
        public String describe() {
            return baseUrl.toString();
        }

        public URI versionsUrl() {
            return URI.create(baseUrl + VERSIONS_PATH);
        }
    }

    /**
     * {@code GET url}: the status must be in {@code expect}, and the body must contain {@code expectBody} if given.
     */
    public record Http(URI url, StatusRanges expect, Optional<String> expectBody) implements Target {
        public Http {
            requireHttpUrl("url", url);
            Objects.requireNonNull(expect, "expect");
            Objects.requireNonNull(expectBody, "expectBody");
        }

        @Override
        public String type() {
            return "http";
        }

        @Override
        public String describe() {
            return url.toString();
        }
    }

    /** A TCP connect, closed at once. */
    public record Tcp(HostPort address) implements Target {
        public Tcp {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String type() {
            return "tcp";
        }

        @Override
        public String describe() {
            return address.toString();
        }
    }

    private static void requireText(String what, String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(what + ": empty (expected: a name)");
        }
    }

    private static void requireHttpUrl(String what, URI url) {
        Objects.requireNonNull(url, what);
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException(what + ": " + url + " (expected: an http:// or https:// URL with a host)");
        }
    }
}
