package org.fossinfra.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fossinfra.config.HealthCheckConfig.StatusRanges;
import org.fossinfra.config.ServiceConfig.Target;

/**
 * Reads one item of {@code services:}: its type, where it points (a URL or an address, per type) and the timing and
 * state rule common to all types. A key of another type is named as such ("'address' is not a setting of a postgres
 * service"), not as unknown.
 *
 * <p>Hazard: a password must never reach a message. A PostgreSQL URL carrying one is refused without echoing it, and
 * {@code password} values are only ever passed on, never printed.
 */
final class ServiceReader {
    static final List<String> COMMON_KEYS =
            List.of("name", "type", "interval", "timeout", "degraded-after", "window", "unhealthy-after");
    static final Map<String, List<String>> TYPE_KEYS = Map.of(
            "postgres", List.of("url", "password"),
            "redis", List.of("address", "password"),
            "matrix", List.of("url"),
            "http", List.of("url", "expect-status", "expect-body"),
            "tcp", List.of("address"));
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Used when the interval allows it; a shorter interval is the timeout (a check may not overlap the next). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Used when the timeout allows it; a shorter timeout halves (a slow check must be able to pass). */
    static final Duration DEFAULT_DEGRADED_AFTER = Duration.ofSeconds(1);
    static final int DEFAULT_WINDOW = 10;
    static final int DEFAULT_UNHEALTHY_AFTER = 3;
    static final int DEFAULT_POSTGRES_PORT = 5432;
    private static final String PG_EXAMPLE = "postgresql://foss@127.0.0.1:5432/foss";

    private ServiceReader() {
    }

    /** The service, or null when something in it was reported (the whole file is then refused anyway). */
    static ServiceConfig read(Context ctx, Section s, CrossChecks checks) {
        String name = s.required("name", "add name: postgres", "a name", Scalars::name).orElse(null);
        if (name != null) {
            s.label(name);
            checks.service(name, s.line("name"), s.field("name"));
        }
        String type = s.required("type", "add type: with one of " + String.join(", ", ServiceConfig.TYPES),
                "a service type", ServiceReader::type).orElse(null);
        List<String> allowed = new ArrayList<>(COMMON_KEYS);
        if (type != null) {
            allowed.addAll(TYPE_KEYS.get(type));
        } else {
            // Unknown type: every type's keys pass, so that only the type is reported.
            ServiceConfig.TYPES.forEach(t -> TYPE_KEYS.get(t).stream().filter(k -> !allowed.contains(k)).forEach(allowed::add));
        }
        String typeName = type;
        s.allowOnly(allowed, key -> false, key -> misplaced(key, typeName));

        Target target = type == null ? null : switch (type) {
            case "postgres" -> postgres(s);
            case "redis" -> redis(s);
            case "matrix" -> matrix(s);
            case "http" -> http(ctx, s);
            default -> tcp(s);
        };

        boolean ok = true;
        Duration interval = s.duration("interval", DEFAULT_INTERVAL, BackendReader.MIN_CHECK_INTERVAL);
        Duration timeout = s.duration("timeout", min(DEFAULT_TIMEOUT, interval), Duration.ofMillis(1));
        if (timeout.compareTo(interval) > 0) {
            String key = s.has("timeout") ? "timeout" : "interval";
            String i = Durations.format(interval);
            ctx.error(s.line(key), s.field(key), "timeout " + Durations.format(timeout) + " is longer than interval "
                    + i + ", so a check would overlap the next", "use a timeout of " + i + " or less, or a longer interval");
            ok = false;
        }
        Duration degradedAfter = s.duration("degraded-after", min(DEFAULT_DEGRADED_AFTER, timeout.dividedBy(2)),
                Duration.ofMillis(1));
        if (ok && degradedAfter.compareTo(timeout) >= 0) {
            String key = s.has("degraded-after") ? "degraded-after" : "timeout";
            String t = Durations.format(timeout);
            ctx.error(s.line(key), s.field(key), "degraded-after " + Durations.format(degradedAfter)
                            + " is not below timeout " + t + ", so no passing check could count as slow",
                    "use less than " + t + ", or a longer timeout");
            ok = false;
        }
        int window = s.integer("window", DEFAULT_WINDOW, 1, ServiceConfig.MAX_WINDOW);
        int unhealthyAfter = s.integer("unhealthy-after", Math.min(DEFAULT_UNHEALTHY_AFTER, window), 1,
                ServiceConfig.MAX_WINDOW);
        if (unhealthyAfter > window) {
            ctx.error(s.line("unhealthy-after"), s.field("unhealthy-after"), "unhealthy-after " + unhealthyAfter
                    + " is above window " + window + ", which holds the checks it counts",
                    "use a value from 1 to " + window + ", or a larger window");
            ok = false;
        }
        if (!ok || name == null || target == null) {
            return null;
        }
        return new ServiceConfig(name, target, interval, timeout, degradedAfter, window, unhealthyAfter);
    }

    private static String type(String text) {
        if (!ServiceConfig.TYPES.contains(text)) {
            throw new Invalid("unknown service type '" + text + "'", Suggestions.oneOf(text, ServiceConfig.TYPES));
        }
        return text;
    }

    /** A key that belongs to another type gets a message saying so; a truly unknown key the usual one (null). */
    private static Invalid misplaced(String key, String type) {
        if (type == null) {
            return null;
        }
        List<String> owners = ServiceConfig.TYPES.stream().filter(t -> TYPE_KEYS.get(t).contains(key)).toList();
        if (owners.isEmpty()) {
            return null;
        }
        return new Invalid("'" + key + "' is not a setting of a " + type + " service (it is one of "
                + String.join(", ", owners) + ")", type + " takes " + String.join(", ", TYPE_KEYS.get(type))
                + "; remove it");
    }

    private static Target postgres(Section s) {
        PgUrl url = s.required("url", "add url: " + PG_EXAMPLE, "a postgresql:// URL", ServiceReader::pgUrl)
                .orElse(null);
        Optional<String> password = password(s);
        return url == null ? null : new ServiceConfig.Postgres(url.address(), url.database(), url.user(), password);
    }

    private static Target redis(Section s) {
        HostPort address = s.required("address", "add address: 127.0.0.1:6379", "host:port", Addresses::server)
                .orElse(null);
        Optional<String> password = password(s);
        return address == null ? null : new ServiceConfig.Redis(address, password);
    }

    private static Target matrix(Section s) {
        URI url = s.required("url", "add url: https://matrix.example.org (the homeserver's base URL)", "a URL",
                ServiceReader::matrixUrl).orElse(null);
        return url == null ? null : new ServiceConfig.Matrix(url);
    }

    private static Target http(Context ctx, Section s) {
        URI url = s.required("url", "add url: http://127.0.0.1:8080/health", "a URL", ServiceReader::httpUrl)
                .orElse(null);
        StatusRanges expect = BackendReader.readExpect(ctx, s);
        Optional<String> body = s.parse("expect-body", "a string", text -> {
            if (text.isEmpty()) {
                throw new Invalid("is empty", "write text the body must contain, or remove the key");
            }
            return text;
        });
        return url == null ? null : new ServiceConfig.Http(url, expect, body);
    }

    private static Target tcp(Section s) {
        HostPort address = s.required("address", "add address: 127.0.0.1:5432", "host:port", Addresses::server)
                .orElse(null);
        return address == null ? null : new ServiceConfig.Tcp(address);
    }

    /** An empty value (e.g. {@code ${REDIS_PASSWORD:-}}) means no password. Never echoed. */
    private static Optional<String> password(Section s) {
        return s.secretText("password").filter(p -> !p.isEmpty());
    }

    /** Where a PostgreSQL URL points: everything but the password, which has a key of its own. */
    record PgUrl(HostPort address, String database, String user) {
    }

    /** {@code postgresql://user@host[:port]/database}; {@code postgres://} is accepted too, as libpq does. */
    static PgUrl pgUrl(String text) {
        String fix = "write " + PG_EXAMPLE;
        URI uri = uri(text, fix);
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new Invalid("'" + text + "' is not a postgresql:// URL", fix);
        }
        String user = uri.getRawUserInfo();
        if (user != null && user.indexOf(':') >= 0) {
            // Not echoed: the text holds the password.
            throw new Invalid("the URL has a password in it",
                    "remove it from the URL and write it as password: ${PG_PASSWORD} beside url");
        }
        if (uri.getHost() == null) {
            throw new Invalid("'" + text + "' has no host", fix);
        }
        if (user == null || user.isEmpty()) {
            throw new Invalid("'" + text + "' names no user", "write the user before the host, e.g. " + PG_EXAMPLE);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty() || database.contains("/")) {
            throw new Invalid("'" + text + "' names no database", "write it after the host, e.g. " + PG_EXAMPLE);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Invalid("'" + text + "' has parameters", "remove them: only user, host, port and database are read");
        }
        int port = uri.getPort() < 0 ? DEFAULT_POSTGRES_PORT : uri.getPort();
        if (port == 0) {
            throw new Invalid("'" + text + "' has port 0", "write the port PostgreSQL listens on, e.g. 5432");
        }
        return new PgUrl(new HostPort(uri.getHost(), port), database, uri.getUserInfo());
    }

    /** The homeserver's base URL, without a trailing slash; the check adds the API path. */
    static URI matrixUrl(String text) {
        URI uri = webUrl(text, "https://matrix.example.org");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Invalid("'" + text + "' has a query or a fragment", "write the base URL only, e.g. https://matrix.example.org");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.contains("/_matrix")) {
            throw new Invalid("'" + text + "' already has the API path", "write the homeserver's base URL, e.g. "
                    + uri.getScheme() + "://" + uri.getRawAuthority() + "; the check adds "
                    + ServiceConfig.Matrix.VERSIONS_PATH);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path);
    }

    static URI httpUrl(String text) {
        URI uri = webUrl(text, "http://127.0.0.1:8080/health");
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private static URI webUrl(String text, String example) {
        String fix = "write e.g. " + example;
        URI uri = uri(text, fix);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new Invalid("'" + text + "' is not an http:// or https:// URL", fix);
        }
        if (uri.getRawUserInfo() != null) {
            // Not echoed: the user part may hold a password.
            throw new Invalid("the URL has credentials in it",
                    "they would show in the API and in events; check an endpoint that needs none");
        }
        if (uri.getHost() == null) {
            throw new Invalid("'" + text + "' has no host (or one URLs cannot carry, such as a name with '_')", fix);
        }
        return uri;
    }

    private static URI uri(String text, String fix) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            // The reason names the offending character; the text itself may hold a password, so it is not echoed.
            throw new Invalid("not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")", fix);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
