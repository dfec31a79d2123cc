package org.fossinfra.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.fossinfra.config.RouteConfig.Condition;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads one item of {@code frontends:}: its listener, routes, response headers, limits and timeouts. */
final class FrontendReader {
    static final List<String> KEYS = List.of("name", "bind", "default-backend", "routes", "response-headers",
            "forwarded-for", "forwarded-proto", "trusted-proxies", "maxconn", "limits", "timeouts", "rate-limits");
    static final List<String> FORWARDED_FOR = java.util.Arrays.stream(FrontendConfig.ForwardedFor.values())
            .map(FrontendConfig.ForwardedFor::configText).toList();
    static final List<String> TIMEOUT_KEYS = List.of("client", "http-request", "keep-alive");
    static final List<String> LIMIT_KEYS = List.of("max-request-line", "max-header-bytes", "max-headers");
    static final List<String> CONDITION_KEYS = List.of("websocket", "path-prefix", "path-prefix-raw", "host", "header");
    /** Message framing belongs to the proxy: overriding these would corrupt the response stream (RFC 9112 §6). */
    static final Set<String> FRAMING_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "te", "trailer", "proxy-connection");
    private static final Pattern HOST_NAME = Pattern.compile("(\\*\\.)?[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?");
    private static final int KB = 1024;

    private FrontendReader() {
    }

    static FrontendConfig read(Context ctx, Section s, Timeouts global, CrossChecks checks) {
        String name = s.required("name", "add name: http", "a name", Scalars::name).orElse(null);
        if (name != null) {
            s.label(name);
            checks.frontend(name, s.line("name"), s.field("name"));
        }
        s.allowOnly(KEYS);
        HostPort bind = s.required("bind", "add bind: 127.0.0.1:8080", "host:port", Addresses::bind).orElse(null);
        if (bind != null) {
            checks.bind(name == null ? s.path() : "frontend '" + name + "'", bind, s.line("bind"), s.field("bind"));
        }
        String defaultBackend = s.text("default-backend").orElse(null);
        if (defaultBackend != null) {
            checks.backendRef(defaultBackend, s.line("default-backend"), s.field("default-backend"));
        }
        List<RouteConfig> routes = new ArrayList<>();
        List<Node> routeNodes = s.list("routes");
        for (int i = 0; i < routeNodes.size(); i++) {
            Section r = Section.of(ctx, routeNodes.get(i), s.field("routes") + "[" + i + "]");
            if (r.present()) {
                routes.add(readRoute(ctx, r, checks));
            }
        }
        boolean routesWritten = !routeNodes.isEmpty() || (s.has("routes") && !(s.node("routes") instanceof SequenceNode));
        if (defaultBackend == null && !routesWritten && s.present()) {
            List<String> known = checks.backendNames();
            String example = known.isEmpty() ? "<backend>" : known.getFirst();
            ctx.error(s.line(), s.path(), "has neither routes nor default-backend, so it could serve no request",
                    "add default-backend: " + example + ", or routes");
        }
        Map<String, String> headers = readResponseHeaders(ctx, s.section("response-headers"));
        FrontendConfig.ForwardedFor forwardedFor = s.parse("forwarded-for", String.join(", ", FORWARDED_FOR),
                FrontendReader::forwardedFor).orElse(FrontendConfig.ForwardedFor.REPLACE);
        boolean forwardedProto = s.bool("forwarded-proto", true);
        List<Cidr> trustedProxies = readTrustedProxies(ctx, s);
        int maxconn = s.integer("maxconn", 0, 0, Integer.MAX_VALUE);

        Section l = s.section("limits");
        l.allowOnly(LIMIT_KEYS);
        FrontendConfig.Limits d = FrontendConfig.Limits.DEFAULTS;
        FrontendConfig.Limits limits = new FrontendConfig.Limits(
                l.size("max-request-line", d.maxRequestLine(), 256, 1024 * KB),
                l.size("max-header-bytes", d.maxHeaderBytes(), KB, 1024 * KB),
                l.integer("max-headers", d.maxHeaders(), 1, 1000));

        Timeouts timeouts = ConfigReader.readTimeouts(s.section("timeouts"), global, TIMEOUT_KEYS,
                key -> ConfigReader.TIMEOUT_KEYS.contains(key)
                        ? new Invalid("'" + key + "' is a backend timeout, not a frontend one",
                        "move it to a backend's timeouts or to the top-level timeouts")
                        : null);
        return new FrontendConfig(name, bind, routes, defaultBackend, headers, forwardedFor, forwardedProto,
                trustedProxies, limits, timeouts, maxconn, RateLimitReader.refs(ctx, s, checks), s.line());
    }

    private static FrontendConfig.ForwardedFor forwardedFor(String text) {
        for (FrontendConfig.ForwardedFor f : FrontendConfig.ForwardedFor.values()) {
            if (f.configText().equals(text)) {
                return f;
            }
        }
        if (text.equals("true")) {
            // It meant append, which lets any client write the start of the list; the choice is now explicit.
            throw new Invalid("true no longer says which mode", "write replace for a frontend that clients reach"
                    + " directly (their X-Forwarded-For, X-Real-IP and Forwarded are dropped), or append to keep"
                    + " the client's list and add the address, as true did (for a node behind a trusted proxy)");
        }
        throw new Invalid("'" + text + "' is not a forwarded-for mode", Suggestions.oneOf(text, FORWARDED_FOR));
    }

    /** CIDR blocks or addresses, as one string or a list. */
    private static List<Cidr> readTrustedProxies(Context ctx, Section s) {
        List<Cidr> blocks = new ArrayList<>();
        for (Section.Item item : s.textList("trusted-proxies")) {
            try {
                blocks.add(Cidr.parse(item.text().trim()));
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                int split = m.indexOf("; ");
                ctx.error(item.line(), item.field(), m.substring(0, split), m.substring(split + 2));
            }
        }
        return blocks;
    }

    private static RouteConfig readRoute(Context ctx, Section r, CrossChecks checks) {
        r.allowOnly(List.of("backend", "when"));
        String backend = r.requiredText("backend", "add backend: <name of a backend>").orElse(null);
        if (backend != null) {
            checks.backendRef(backend, r.line("backend"), r.field("backend"));
        }
        List<Condition> conditions = new ArrayList<>();
        String fix = "add when: with at least one of " + String.join(", ", CONDITION_KEYS);
        if (r.require("when", fix)) {
            Section w = r.section("when");
            w.allowOnly(CONDITION_KEYS);
            if (w.present() && w.keys().isEmpty()) {
                ctx.error(r.line("when"), r.field("when"), "has no condition", fix);
            }
            for (String key : w.keys()) {
                switch (key) {
                    case "websocket" -> readWebSocket(ctx, w).ifPresent(conditions::add);
                    case "path-prefix" ->
                            conditions.add(new Condition.PathPrefix(readPathPrefixes(ctx, w, "path-prefix")));
                    case "path-prefix-raw" ->
                            conditions.add(new Condition.PathPrefixRaw(readPathPrefixes(ctx, w, "path-prefix-raw")));
                    case "host" -> conditions.add(readHost(ctx, w));
                    case "header" -> readHeader(ctx, w).ifPresent(conditions::add);
                    default -> { } // reported by allowOnly
                }
            }
        }
        return new RouteConfig(backend, conditions, r.line());
    }

    private static Optional<Condition> readWebSocket(Context ctx, Section w) {
        if (!w.require("websocket", "write websocket: true, or remove the key")) {
            return Optional.empty();
        }
        boolean on = w.bool("websocket", true);
        if (!on) {
            ctx.error(w.line("websocket"), w.field("websocket"),
                    "false is not a condition (a route cannot require a request that is not a WebSocket upgrade)",
                    "remove the key");
            return Optional.empty();
        }
        return Optional.of(new Condition.WebSocket());
    }

    /**
     * The prefixes of {@code path-prefix} (normal paths: a request's path is compared in normal form, so a prefix in
     * another form would silently mean something else) or {@code path-prefix-raw} (any bytes a target may hold).
     */
    private static List<String> readPathPrefixes(Context ctx, Section w, String key) {
        List<String> prefixes = new ArrayList<>();
        for (Section.Item item : nonEmpty(ctx, w, key, "/api")) {
            String p = item.text();
            if (!p.startsWith("/")) {
                ctx.error(item.line(), item.field(), "'" + p + "' does not start with '/'", "write /" + p);
            } else if (Scalars.hasSpaceOrControl(p)) {
                ctx.error(item.line(), item.field(), "'" + p + "' contains a space or a control character",
                        "percent-encode it, e.g. %20 for a space");
            } else if (key.equals("path-prefix-raw")) {
                prefixes.add(p);
            } else {
                normalPrefix(ctx, item).ifPresent(prefixes::add);
            }
        }
        return prefixes;
    }

    private static Optional<String> normalPrefix(Context ctx, Section.Item item) {
        String p = item.text();
        if (p.indexOf('?') >= 0 || p.indexOf('#') >= 0) {
            ctx.error(item.line(), item.field(), "'" + p + "' has a query or a fragment, which path-prefix does not"
                    + " look at", "write the path alone, or use path-prefix-raw to compare the raw request target");
            return Optional.empty();
        }
        String normal;
        try {
            normal = PathNormalizer.normalize(p);
        } catch (IllegalArgumentException e) {
            ctx.error(item.line(), item.field(), "'" + p + "' can match no request: a path with " + e.getMessage()
                    .replace(" in the path", "") + " is refused with 400", "remove it");
            return Optional.empty();
        }
        if (!normal.equals(p)) {
            ctx.error(item.line(), item.field(), "'" + p + "' is compared with request paths in normal form (dot"
                            + " segments and repeated slashes removed, %XX of letters, digits and -._~ decoded),"
                            + " where it reads '" + normal + "'",
                    "write " + normal + ", or use path-prefix-raw to compare the raw request target");
            return Optional.empty();
        }
        return Optional.of(p);
    }

    private static Condition readHost(Context ctx, Section w) {
        List<String> names = new ArrayList<>();
        for (Section.Item item : nonEmpty(ctx, w, "host", "example.com")) {
            String h = item.text().toLowerCase(Locale.ROOT);
            if (h.contains(":")) {
                ctx.error(item.line(), item.field(), "'" + item.text() + "' has a port",
                        "write the host name alone (the port is ignored when matching)");
            } else if (!HOST_NAME.matcher(h).matches()) {
                ctx.error(item.line(), item.field(), "'" + item.text() + "' is not a host name",
                        "write a name such as example.com, or *.example.com for its subdomains");
            } else {
                names.add(h);
            }
        }
        return new Condition.Host(names);
    }

    /** A string or a list of strings that must hold at least one value. */
    private static List<Section.Item> nonEmpty(Context ctx, Section w, String key, String example) {
        List<Section.Item> items = w.textList(key);
        if (items.isEmpty() && w.node(key) instanceof SequenceNode seq && seq.getValue().isEmpty()) {
            ctx.error(w.line(key), w.field(key), "is empty", "write at least one value, e.g. " + example);
        } else if (!w.has(key)) {
            ctx.error(w.keyLine(key), w.field(key), "has no value", "write a value, e.g. " + example);
        }
        return items;
    }

    private static Optional<Condition> readHeader(Context ctx, Section w) {
        Node n = w.node("header");
        if (n == null) {
            ctx.error(w.keyLine("header"), w.field("header"), "has no value",
                    "write a header name, or { name: X-Canary, equals: \"1\" }");
            return Optional.empty();
        }
        if (n instanceof MappingNode) {
            Section h = w.section("header");
            h.allowOnly(List.of("name", "equals"));
            String name = h.required("name", "add name: X-Canary", "a header name", FrontendReader::headerName)
                    .orElse(null);
            if (name == null) {
                return Optional.empty();
            }
            if (!h.has("equals")) {
                return Optional.of(new Condition.HeaderPresent(name));
            }
            return h.parse("equals", "a string", FrontendReader::headerValue)
                    .map(v -> new Condition.HeaderEquals(name, v));
        }
        if (n instanceof SequenceNode) {
            ctx.error(Context.line(n), w.field("header"), "expected a header name or a mapping, found a list",
                    "write header: X-Canary, or header: { name: X-Canary, equals: \"1\" }");
            return Optional.empty();
        }
        return w.parse("header", "a header name", FrontendReader::headerName).map(Condition.HeaderPresent::new);
    }

    private static Map<String, String> readResponseHeaders(Context ctx, Section h) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        h.allowAny();
        for (String name : h.keys()) {
            int line = h.keyLine(name);
            try {
                headerName(name);
            } catch (Invalid e) {
                ctx.error(line, h.field(name), e);
                continue;
            }
            if (FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                ctx.error(line, h.field(name), "'" + name + "' frames the message and is set by the proxy",
                        "remove it");
                continue;
            }
            String first = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (first != null) {
                ctx.error(line, h.field(name), "same header as '" + first + "' (names are case-insensitive)",
                        "remove one of them");
                continue;
            }
            if (h.require(name, "write a value, quoted if it contains ': ' or ' #'")) {
                h.parse(name, "a string", FrontendReader::headerValue).ifPresent(v -> headers.put(name, v));
            }
        }
        return headers;
    }

    private static String headerName(String text) {
        if (!Scalars.isToken(text)) {
            throw new Invalid("'" + text + "' is not a valid header name",
                    "use letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110 token)");
        }
        return text;
    }

    private static String headerValue(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                throw new Invalid("the value contains a line break or a control character",
                        "remove it; it would split or corrupt the header");
            }
        }
        return text;
    }
}
