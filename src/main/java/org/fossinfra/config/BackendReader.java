package org.fossinfra.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fossinfra.balance.Algorithm;
import org.fossinfra.config.BackendConfig.PoolConfig;
import org.fossinfra.config.BackendConfig.ServerConfig;
import org.fossinfra.config.HealthCheckConfig.StatusRanges;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads one item of {@code backends:}: its algorithm, servers, health check, retries, queue, pool and timeouts. */
final class BackendReader {
    static final List<String> KEYS = List.of("name", "balance", "servers", "health-check", "retries", "redispatch",
            "queue-size", "pool", "timeouts", "rate-limits");
    static final List<String> SERVER_KEYS = List.of("name", "address", "weight", "maxconn", "backup");
    static final List<String> CHECK_KEYS =
            List.of("method", "path", "host", "expect-status", "interval", "timeout", "rise", "fall");
    static final List<String> POOL_KEYS = List.of("max-idle-per-server", "idle-timeout");
    static final List<String> TIMEOUT_KEYS = List.of("connect", "server", "queue", "tunnel");
    static final List<String> CHECK_METHODS = List.of("GET", "HEAD", "OPTIONS");
    /** HAProxy's maximum server weight; 0 takes no new traffic. */
    static final int MAX_WEIGHT = 256;
    /** Checks more often than this are load, not information (HAProxy's own floor for {@code inter} is 100ms too). */
    static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(100);
    private static final Pattern STATUS = Pattern.compile("(\\d{3})|([1-5])xx|(\\d{3})-(\\d{3})");

    private BackendReader() {
    }

    static BackendConfig read(Context ctx, Section s, Timeouts global, CrossChecks checks) {
        String name = s.required("name", "add name: web", "a name", Scalars::name).orElse(null);
        if (name != null) {
            s.label(name);
            checks.backend(name, s.line("name"), s.field("name"));
        }
        s.allowOnly(KEYS);
        Algorithm balance = s.parse("balance", "an algorithm", BackendReader::algorithm).orElse(Algorithm.ROUND_ROBIN);

        List<ServerConfig> servers = new ArrayList<>();
        Map<String, Integer> nameLines = new HashMap<>();
        for (Section v : s.requiredItems("servers", "add servers: with at least one '- name: web1' and 'address: 127.0.0.1:4000'")) {
            ServerConfig server = readServer(v);
            if (server.name() != null) {
                Integer first = nameLines.putIfAbsent(server.name(), v.line("name"));
                if (first != null) {
                    ctx.error(v.line("name"), v.field("name"), "duplicate server name '" + server.name()
                            + "' in this backend (first at line " + first + ")", "give each server its own name");
                }
            }
            servers.add(server);
        }
        if (!servers.isEmpty() && servers.stream().allMatch(ServerConfig::backup)) {
            ctx.error(s.keyLine("servers"), s.field("servers"), "every server is backup: true, so none is a primary",
                    "make at least one a primary (remove its backup: true)");
        }

        Section hc = s.section("health-check");
        Optional<HealthCheckConfig> healthCheck = hc.present() ? Optional.of(readHealthCheck(ctx, hc)) : Optional.empty();
        int retries = s.integer("retries", 3, 0, 10);
        boolean redispatch = s.bool("redispatch", true);
        int queueSize = s.integer("queue-size", 1000, 0, 1_000_000);

        Section p = s.section("pool");
        p.allowOnly(POOL_KEYS);
        PoolConfig pool = new PoolConfig(p.integer("max-idle-per-server", PoolConfig.DEFAULTS.maxIdlePerServer(), 0, 10_000),
                p.duration("idle-timeout", PoolConfig.DEFAULTS.idleTimeout(), Duration.ofMillis(1)));

        Timeouts timeouts = ConfigReader.readTimeouts(s.section("timeouts"), global, TIMEOUT_KEYS,
                key -> ConfigReader.TIMEOUT_KEYS.contains(key)
                        ? new Invalid("'" + key + "' is a frontend timeout, not a backend one",
                        "move it to a frontend's timeouts or to the top-level timeouts")
                        : null);
        return new BackendConfig(name, balance, servers, healthCheck, retries, redispatch, queueSize, pool, timeouts,
                RateLimitReader.refs(ctx, s, checks), s.line());
    }

    private static Algorithm algorithm(String text) {
        return Algorithm.fromConfigName(text).orElseThrow(() -> new Invalid("unknown algorithm '" + text + "'",
                Suggestions.oneOf(text, Arrays.stream(Algorithm.values()).map(Algorithm::configName).toList())));
    }

    private static ServerConfig readServer(Section v) {
        String name = v.required("name", "add name: web1", "a name", Scalars::name).orElse(null);
        if (name != null) {
            v.label(name);
        }
        v.allowOnly(SERVER_KEYS);
        HostPort address = v.required("address", "add address: 127.0.0.1:4000", "host:port", Addresses::server)
                .orElse(null);
        return new ServerConfig(name, address, v.integer("weight", 1, 0, MAX_WEIGHT),
                v.integer("maxconn", 0, 0, Integer.MAX_VALUE), v.bool("backup", false), v.line());
    }

    private static HealthCheckConfig readHealthCheck(Context ctx, Section hc) {
        hc.allowOnly(CHECK_KEYS);
        String method = hc.parse("method", "a method", text -> {
            if (!CHECK_METHODS.contains(text)) {
                throw new Invalid("'" + text + "' is not a method for checks", Suggestions.oneOf(text, CHECK_METHODS));
            }
            return text;
        }).orElse("GET");
        String path = hc.parse("path", "a path", text -> {
            if (!text.startsWith("/")) {
                throw new Invalid("'" + text + "' does not start with '/'", "write /" + text);
            }
            if (Scalars.hasSpaceOrControl(text)) {
                throw new Invalid("'" + text + "' contains a space or a control character",
                        "percent-encode it, e.g. %20 for a space");
            }
            return text;
        }).orElse("/health");
        String host = hc.parse("host", "a host name", text -> {
            if (text.isEmpty() || Scalars.hasSpaceOrControl(text)) {
                throw new Invalid("'" + text + "' is not a host name", "write e.g. example.com");
            }
            return text;
        }).orElse(null);
        StatusRanges expect = readExpect(ctx, hc);
        Duration interval = hc.duration("interval", Duration.ofSeconds(2), MIN_CHECK_INTERVAL);
        Duration timeout = hc.duration("timeout", Duration.ofSeconds(1), Duration.ofMillis(1));
        if (timeout.compareTo(interval) > 0) {
            String key = hc.has("timeout") ? "timeout" : "interval";
            String i = Durations.format(interval);
            ctx.error(hc.line(key), hc.field(key), "timeout " + Durations.format(timeout) + " is longer than interval "
                    + i + ", so a check would overlap the next", "use a timeout of " + i + " or less, or a longer interval");
        }
        return new HealthCheckConfig(method, path, host, expect, interval, timeout,
                hc.integer("rise", 2, 1, 100), hc.integer("fall", 3, 1, 100));
    }

    /** {@code expect-status} of a backend's health-check or an http service; 200-399 when absent. */
    static StatusRanges readExpect(Context ctx, Section hc) {
        if (!hc.has("expect-status")) {
            return new StatusRanges(List.of(new int[] {200, 399}));
        }
        List<Section.Item> items = hc.textList("expect-status");
        if (hc.node("expect-status") instanceof SequenceNode seq && seq.getValue().isEmpty()) {
            ctx.error(hc.line("expect-status"), hc.field("expect-status"), "is empty", "write e.g. 200, 2xx or 200-399");
        }
        List<int[]> ranges = new ArrayList<>();
        for (Section.Item item : items) {
            try {
                ranges.add(statusRange(item.text()));
            } catch (Invalid e) {
                ctx.error(item.line(), item.field(), e);
            }
        }
        return new StatusRanges(ranges);
    }

    /** 200, 2xx or 200-299, each status within 100..599. */
    static int[] statusRange(String text) {
        Matcher m = STATUS.matcher(text);
        if (!m.matches()) {
            throw new Invalid("expected a status, a class or a range, found '" + text + "'", "write e.g. 200, 2xx or 200-399");
        }
        int[] range;
        if (m.group(1) != null) {
            int status = Integer.parseInt(m.group(1));
            range = new int[] {status, status};
        } else if (m.group(2) != null) {
            int hundreds = Integer.parseInt(m.group(2)) * 100;
            range = new int[] {hundreds, hundreds + 99};
        } else {
            range = new int[] {Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))};
        }
        if (range[0] < 100 || range[1] > 599) {
            throw new Invalid("'" + text + "' is not an HTTP status", "use statuses from 100 to 599");
        }
        if (range[0] > range[1]) {
            throw new Invalid("'" + text + "' is an empty range", "write the lower status first, e.g. "
                    + range[1] + "-" + range[0]);
        }
        return range;
    }
}
