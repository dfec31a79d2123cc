package org.fossinfra.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the top level, {@code node}, {@code admin} and {@code timeouts}, hands each frontend, backend and service to
 * its reader, then runs the {@link CrossChecks}. Everything wrong is reported to the {@link Context}; the result is only
 * meaningful when no error was reported.
 */
final class ConfigReader {
    static final List<String> KEYS =
            List.of("node", "admin", "timeouts", "frontends", "backends", "services", "redis", "rate-limits",
                    "database", "matrix");
    static final List<String> TIMEOUT_KEYS =
            List.of("connect", "client", "server", "http-request", "queue", "tunnel", "keep-alive");
    /** A token anyone could guess in a few tries is no protection: 16 characters is 64 bits as hex, 96 as base64. */
    static final int MIN_SECRET_LENGTH = 16;

    private final Context ctx;
    private final Path source;
    private final CrossChecks checks = new CrossChecks();

    ConfigReader(Context ctx, Path source) {
        this.ctx = ctx;
        this.source = source;
    }

    Config read(Node root) {
        Section top = Section.of(ctx, root, "");
        // Keys starting with x- are ignored, to give anchors a home (as in docker compose): x-checks: &checks {...}
        top.allowOnly(KEYS, key -> key.startsWith("x-"), key -> null);
        NodeConfig node = readNode(top.section("node"));
        Optional<AdminConfig> admin = readAdmin(top.section("admin"));
        DatabaseConfig database = DatabaseReader.read(ctx, top.section("database"), node.dataDir(), this::resolve);
        Timeouts global = readTimeouts(top.section("timeouts"), Timeouts.DEFAULTS, TIMEOUT_KEYS, key -> null);
        Optional<RedisConfig> redis = RateLimitReader.readRedis(top.section("redis"));
        List<RateLimitConfig> rateLimits = RateLimitReader.read(ctx, top, top.has("redis"), checks);

        List<Section> frontendItems =
                top.requiredItems("frontends", "add frontends: with at least one listener (see docs/config.md)");
        List<Section> backendItems =
                top.requiredItems("backends", "add backends: with at least one backend (see docs/config.md)");
        // Backends first, so that a frontend's messages can name them; errors are sorted by line in the end anyway.
        List<BackendConfig> backends = new ArrayList<>();
        for (Section s : backendItems) {
            backends.add(BackendReader.read(ctx, s, global, checks));
        }
        List<FrontendConfig> frontends = new ArrayList<>();
        for (Section s : frontendItems) {
            frontends.add(FrontendReader.read(ctx, s, global, checks));
        }
        List<ServiceConfig> services = new ArrayList<>();
        List<Node> serviceNodes = top.list("services");
        for (int i = 0; i < serviceNodes.size(); i++) {
            Section s = Section.of(ctx, serviceNodes.get(i), "services[" + i + "]");
            if (s.present()) {
                ServiceConfig service = ServiceReader.read(ctx, s, checks);
                if (service != null) {
                    services.add(service);
                }
            }
        }
        Optional<MatrixConfig> matrix = MatrixReader.read(ctx, top.section("matrix"), node.name());
        checks.run(ctx);
        return new Config(source, node, admin, frontends, backends, services, redis, rateLimits, database, matrix);
    }

    private NodeConfig readNode(Section s) {
        s.allowOnly(List.of("name", "data-dir"));
        String name = s.parse("name", "a string", text -> {
            if (text.isBlank()) {
                throw new Invalid("is empty", "write a name, or remove the key to use the host name");
            }
            return text;
        }).orElseGet(ConfigReader::hostName);
        Path dataDir = s.parse("data-dir", "a path", this::resolve).orElseGet(() -> resolve("./data"));
        return new NodeConfig(name, dataDir);
    }

    /** Relative to the config file's directory, so the node finds its data whatever directory it was started from. */
    private Path resolve(String text) {
        if (text.isBlank()) {
            throw new Invalid("is empty", "write a directory, or remove the key to use ./data");
        }
        try {
            Path dir = source.toAbsolutePath().getParent();
            return (dir == null ? Path.of(text) : dir.resolve(text)).normalize();
        } catch (InvalidPathException e) {
            throw new Invalid("'" + text + "' is not a valid path", "write a directory, e.g. ./data");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            return "localhost";
        }
    }

    private Optional<AdminConfig> readAdmin(Section s) {
        if (!s.present()) {
            return Optional.empty();
        }
        s.allowOnly(List.of("bind", "tokens", "users"));
        HostPort bind = s.required("bind", "add bind: 127.0.0.1:9090", "host:port", Addresses::bind).orElse(null);
        if (bind != null) {
            checks.bind("the admin listener", bind, s.line("bind"), s.field("bind"));
        }
        List<AdminConfig.Token> tokens = new ArrayList<>();
        Map<String, Integer> nameLines = new HashMap<>();
        Map<String, String> secretOwners = new HashMap<>();
        for (Section t : s.requiredItems("tokens", "add tokens: with at least one '- name: ops' and 'secret: ${FOSS_ADMIN_TOKEN}'")) {
            t.allowOnly(List.of("name", "secret"));
            String name = t.requiredText("name", "add name: ops (it names who acted, in events)").orElse(null);
            String secret = t.requiredSecret("secret", "add secret: ${FOSS_ADMIN_TOKEN}", "a string",
                    Function.identity()).orElse(null);
            if (name != null) {
                Integer first = nameLines.putIfAbsent(name, t.line("name"));
                if (first != null) {
                    ctx.error(t.line("name"), t.field("name"), "duplicate token name '" + name + "' (first at line "
                            + first + ")", "give each token holder its own name");
                }
            }
            if (secret != null && secret.length() < MIN_SECRET_LENGTH) {
                // Never echo the secret: the message may end up in a log or a CI transcript.
                ctx.error(t.line("secret"), t.field("secret"), "is " + secret.length()
                                + " characters long, so it is guessable",
                        "use at least " + MIN_SECRET_LENGTH + " random characters, e.g. from: openssl rand -hex 32");
            } else if (secret != null && name != null) {
                String owner = secretOwners.putIfAbsent(secret, name);
                if (owner != null) {
                    ctx.error(t.line("secret"), t.field("secret"), "is the same secret as token '" + owner + "'",
                            "give each holder its own secret, so events name who acted");
                }
            }
            if (name != null && secret != null) {
                tokens.add(new AdminConfig.Token(name, secret));
            }
        }
        return Optional.of(new AdminConfig(bind, tokens, readUsers(s)));
    }

    /** Dashboard users: optional; without any, the dashboard's login refuses everyone and says why. */
    private List<AdminConfig.User> readUsers(Section admin) {
        List<AdminConfig.User> users = new ArrayList<>();
        Map<String, Integer> nameLines = new HashMap<>();
        List<Node> items = admin.list("users");
        for (int i = 0; i < items.size(); i++) {
            Section u = Section.of(ctx, items.get(i), admin.field("users") + "[" + i + "]");
            if (!u.present()) {
                continue;
            }
            u.allowOnly(List.of("name", "password-hash"));
            String name = u.required("name", "add name: alice (it names who acted, in events)", "a name",
                    Scalars::name).orElse(null);
            String hash = u.requiredSecret("password-hash", "add password-hash: \"<what ./foss-infra hash-password prints>\"",
                    "a bcrypt hash", Passwords::check).orElse(null);
            if (name != null) {
                Integer first = nameLines.putIfAbsent(name, u.line("name"));
                if (first != null) {
                    ctx.error(u.line("name"), u.field("name"), "duplicate user name '" + name + "' (first at line "
                            + first + ")", "give each person their own user, so events name who acted");
                }
            }
            if (name != null && hash != null) {
                users.add(new AdminConfig.User(name, hash));
            }
        }
        return users;
    }

    /**
     * A full set of timeouts: {@code base} overridden by the keys of {@code s}, of which only {@code allowed} are
     * read; {@code misplaced} explains the others (a backend timeout written in a frontend).
     */
    static Timeouts readTimeouts(Section s, Timeouts base, List<String> allowed, Function<String, Invalid> misplaced) {
        s.allowOnly(allowed, key -> false, misplaced);
        Reader r = new Reader(s, allowed);
        return new Timeouts(r.get("connect", base.connect()), r.get("client", base.client()),
                r.get("server", base.server()), r.get("http-request", base.httpRequest()),
                r.get("queue", base.queue()), r.get("tunnel", base.tunnel()), r.get("keep-alive", base.keepAlive()));
    }

    private record Reader(Section s, List<String> allowed) {
        Duration get(String key, Duration base) {
            return allowed.contains(key) ? s.duration(key, base, Duration.ofMillis(1)) : base;
        }
    }
}
