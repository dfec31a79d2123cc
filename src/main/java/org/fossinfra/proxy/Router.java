package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fossinfra.config.FrontendConfig;
import org.fossinfra.config.RouteConfig;
import org.fossinfra.config.RouteConfig.Condition;

/**
 * A frontend's routing rules compiled against a set of backends: first rule whose conditions all hold wins, else the
 * default backend, else nothing (503). Conditions compare bytes of the request head in place, so routing allocates
 * nothing on the common paths (path prefix, header presence, WebSocket).
 *
 * <p>Path prefixes are compared with the request's normal path ({@link RequestPath}), whole segments only, so that a
 * rule means what its operator wrote whatever spelling the client chose; {@code path-prefix-raw} compares the raw
 * target instead.
 *
 * @param <B> what a rule leads to: the data plane's {@link BackendRuntime}; a name in tests
 */
final class Router<B> {
    private final Rule<B>[] rules;
    private final B defaultBackend;

    @SuppressWarnings("unchecked")
    Router(FrontendConfig config, Map<String, B> backends) {
        List<Rule<B>> compiled = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            List<Test> tests = new ArrayList<>();
            for (Condition c : r.conditions()) {
                tests.add(compile(c));
            }
            compiled.add(new Rule<>(tests.toArray(Test[]::new), backends.get(r.backend())));
        }
        rules = compiled.toArray(Rule[]::new);
        defaultBackend = config.defaultBackend() == null ? null : backends.get(config.defaultBackend());
    }

    /**
     * The backend for this request, or null when no rule matches and there is no default.
     *
     * @param path the request's normal path, {@link RequestPath#parse parsed} from this head
     */
    B route(RequestHead req, RequestPath path, ByteBuf buf, int base) {
        outer:
        for (Rule<B> rule : rules) {
            for (Test t : rule.tests) {
                if (!t.test(req, path, buf, base)) {
                    continue outer;
                }
            }
            return rule.backend;
        }
        return defaultBackend;
    }

    private record Rule<B>(Test[] tests, B backend) {
    }

    @FunctionalInterface
    private interface Test {
        boolean test(RequestHead req, RequestPath path, ByteBuf buf, int base);
    }

    private static Test compile(Condition c) {
        return switch (c) {
            case Condition.PathPrefix p -> {
                byte[][] prefixes = p.prefixes().stream().map(HttpChars::ascii).toArray(byte[][]::new);
                yield (req, path, buf, base) -> {
                    for (byte[] prefix : prefixes) {
                        if (path.underPrefix(buf, base, prefix)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case Condition.PathPrefixRaw p -> {
                byte[][] prefixes = p.prefixes().stream().map(HttpChars::ascii).toArray(byte[][]::new);
                yield (req, path, buf, base) -> {
                    for (byte[] prefix : prefixes) {
                        if (rawTargetStartsWith(req, buf, base, prefix)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case Condition.Host h -> {
                List<String> names = h.names().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
                yield (req, path, buf, base) -> {
                    String host = req.host(buf, base);
                    for (String n : names) {
                        if (n.startsWith("*.") ? host.endsWith(n.substring(1)) : host.equals(n)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case Condition.HeaderPresent hp -> {
                byte[] name = HttpChars.ascii(hp.name().toLowerCase(Locale.ROOT));
                yield (req, path, buf, base) -> headerIndex(req, buf, base, name, 0) >= 0;
            }
            case Condition.HeaderEquals he -> {
                byte[] name = HttpChars.ascii(he.name().toLowerCase(Locale.ROOT));
                byte[] value = HttpChars.ascii(he.value());
                yield (req, path, buf, base) -> {
                    for (int i = headerIndex(req, buf, base, name, 0); i >= 0; i = headerIndex(req, buf, base, name, i + 1)) {
                        if (bytesEqual(buf, base + req.valueStart[i], req.valueEnd[i] - req.valueStart[i], value)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case Condition.WebSocket w -> (req, path, buf, base) -> req.webSocketUpgrade();
        };
    }

    /** The target as sent (origin-form; the path of an absolute-form one) starts with {@code prefix}. */
    private static boolean rawTargetStartsWith(RequestHead req, ByteBuf buf, int base, byte[] prefix) {
        int len = req.targetEnd - req.targetStart;
        if (len == 0) {
            // absolute-form without a path: the path is "/"
            return prefix.length == 1 && prefix[0] == '/';
        }
        return len >= prefix.length && bytesEqual(buf, base + req.targetStart, prefix.length, prefix);
    }

    private static int headerIndex(RequestHead req, ByteBuf buf, int base, byte[] lowerName, int from) {
        for (int i = from; i < req.headerCount; i++) {
            if (HttpChars.equalsIgnoreCase(buf, base + req.nameStart[i], base + req.nameEnd[i], lowerName)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean bytesEqual(ByteBuf buf, int at, int len, byte[] expected) {
        if (len != expected.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf.getByte(at + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
