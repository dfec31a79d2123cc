package org.fossinfra.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a reload changes between the configuration a node runs and the one in the file, section by section, and which
 * of those changes a running node takes at once ({@link Apply#LIVE}) and which only a restart can make
 * ({@link Apply#RESTART}): the node's identity and data directory, the admin listener's address, the event store, and
 * the Matrix bot's homeserver, account and room (one bot, one session, opened at start).
 *
 * <p>Live: frontends, backends, services, rate limits, Redis, admin tokens and dashboard users (so that a leaked token
 * removed from the file stops working at once), and the Matrix operators and notification switches.
 *
 * <p>Everything is compared as values, ignoring the {@code line} a section was written at (moving a backend down the
 * file changes nothing), by one walk over the records ({@link #same}), so a field added to a config record is compared
 * without anyone remembering to add it here. Messages name sections and fields, never values: some are secrets.
 *
 * @param changes in file order of sections: node, admin, frontends, backends, services, redis, rate limits, database,
 *                matrix
 */
public record ConfigDiff(List<Change> changes) {
    public ConfigDiff {
        changes = List.copyOf(changes);
    }

    /** Whether the running node can take a change. */
    public enum Apply { LIVE, RESTART }

    public enum Kind {
        ADDED, REMOVED, CHANGED;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One changed section or field.
     *
     * @param what  the section as the file names it: {@code backend web}, {@code admin.bind}, {@code admin.users bob}
     */
    public record Change(String what, Kind kind, Apply apply) {
        public Change {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(apply, "apply");
        }

        /** {@code backend web changed}; {@code admin.bind changed (restart required)}. */
        public String describe() {
            return what + " " + kind.word() + (apply == Apply.RESTART ? " (restart required)" : "");
        }
    }

    /** The Matrix fields a running bot takes at once; the others are its connection, opened at start. */
    static final Set<String> MATRIX_LIVE = Set.of("operators", "notifications");
    /** Config keys whose record component is named differently. */
    private static final Map<String, String> KEYS = Map.of("notifications", "notify", "accessToken", "access-token");

    /** What changes from {@code running} to {@code next}. */
    public static ConfigDiff between(Config running, Config next) {
        List<Change> out = new ArrayList<>();
        fields(out, "node", running.node(), next.node(), Set.of());
        admin(out, running.admin(), next.admin());
        named(out, "frontend", running.frontends(), next.frontends(), FrontendConfig::name);
        named(out, "backend", running.backends(), next.backends(), BackendConfig::name);
        named(out, "service", running.services(), next.services(), ServiceConfig::name);
        optional(out, "redis", running.redis(), next.redis(), Apply.LIVE);
        named(out, "rate-limit", running.rateLimits(), next.rateLimits(), RateLimitConfig::name);
        if (!same(running.database(), next.database())) {
            out.add(new Change("database", Kind.CHANGED, Apply.RESTART));
        }
        matrix(out, running.matrix(), next.matrix());
        return new ConfigDiff(out);
    }

    /** Changes the running node takes at once. */
    public List<Change> live() {
        return changes.stream().filter(c -> c.apply() == Apply.LIVE).toList();
    }

    /** Changes that wait for a restart; until then the node keeps running with the values it started with. */
    public List<Change> restartRequired() {
        return changes.stream().filter(c -> c.apply() == Apply.RESTART).toList();
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /**
     * The configuration the node runs once the live changes are applied: {@code next}, except for what needs a restart,
     * which keeps {@code running}'s values. The next reload is diffed against this, so a change that waits for a
     * restart is reported again until the node restarts.
     */
    public static Config applyLive(Config running, Config next) {
        Optional<AdminConfig> admin = running.admin().isPresent() && next.admin().isPresent()
                ? Optional.of(new AdminConfig(running.admin().get().bind(), next.admin().get().tokens(),
                        next.admin().get().users()))
                : running.admin();
        Optional<MatrixConfig> matrix = running.matrix().isPresent() && next.matrix().isPresent()
                ? Optional.of(running.matrix().get().withLive(next.matrix().get()))
                : running.matrix();
        return new Config(next.source(), running.node(), admin, next.frontends(), next.backends(), next.services(),
                next.redis(), next.rateLimits(), running.database(), matrix);
    }

    private static void admin(List<Change> out, Optional<AdminConfig> a, Optional<AdminConfig> b) {
        if (a.isEmpty() || b.isEmpty()) {
            // The listener is opened at start (or not at all): its appearance or removal waits for a restart.
            optional(out, "admin", a, b, Apply.RESTART);
            return;
        }
        if (!same(a.get().bind(), b.get().bind())) {
            out.add(new Change("admin.bind", Kind.CHANGED, Apply.RESTART));
        }
        named(out, "admin.tokens", a.get().tokens(), b.get().tokens(), AdminConfig.Token::name);
        named(out, "admin.users", a.get().users(), b.get().users(), AdminConfig.User::name);
    }

    private static void matrix(List<Change> out, Optional<MatrixConfig> a, Optional<MatrixConfig> b) {
        if (a.isEmpty() || b.isEmpty()) {
            optional(out, "matrix", a, b, Apply.RESTART);
            return;
        }
        fields(out, "matrix", a.get(), b.get(), MATRIX_LIVE);
    }

    /** A section that is there or not: added, removed, or changed as a whole. */
    private static <T> void optional(List<Change> out, String what, Optional<T> a, Optional<T> b, Apply apply) {
        if (a.isPresent() && b.isEmpty()) {
            out.add(new Change(what, Kind.REMOVED, apply));
        } else if (a.isEmpty() && b.isPresent()) {
            out.add(new Change(what, Kind.ADDED, apply));
        } else if (a.isPresent() && !same(a.get(), b.get())) {
            out.add(new Change(what, Kind.CHANGED, apply));
        }
    }

    /** A list of named items (frontends, tokens, ...): each name added, removed or changed, sorted by name. */
    private static <T> void named(List<Change> out, String what, List<T> a, List<T> b, Function<T, String> name) {
        Map<String, T> before = byName(a, name);
        Map<String, T> after = byName(b, name);
        Set<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String n : names) {
            optional(out, what + " " + n, Optional.ofNullable(before.get(n)), Optional.ofNullable(after.get(n)),
                    Apply.LIVE);
        }
    }

    /** Each differing field of a section (record) on its own: {@code matrix.homeserver changed}. */
    private static void fields(List<Change> out, String section, Record a, Record b, Set<String> live) {
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (!c.getName().equals("line") && !same(value(c, a), value(c, b))) {
                out.add(new Change(section + "." + key(c.getName()), Kind.CHANGED,
                        live.contains(c.getName()) ? Apply.LIVE : Apply.RESTART));
            }
        }
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        Map<String, T> m = new LinkedHashMap<>();
        items.forEach(i -> m.put(name.apply(i), i));
        return m;
    }

    /** {@code dataDir} → {@code data-dir}, as the file writes it. */
    private static String key(String component) {
        String special = KEYS.get(component);
        return special != null ? special : component.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /**
     * Equal as values, ignoring every record component named {@code line} at any depth (records, lists, maps and
     * optionals are walked; anything else is compared with equals).
     */
    static boolean same(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        // Collections are compared by content whatever their class (List.of of two and of three differ in class).
        return switch (a) {
            case Record r when r.getClass() == b.getClass() -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    if (!c.getName().equals("line") && !same(value(c, a), value(c, b))) {
                        yield false;
                    }
                }
                yield true;
            }
            case Record r -> false;
            case List<?> l when b instanceof List<?> m -> {
                if (l.size() != m.size()) {
                    yield false;
                }
                Iterator<?> i = l.iterator();
                Iterator<?> j = m.iterator();
                while (i.hasNext()) {
                    if (!same(i.next(), j.next())) {
                        yield false;
                    }
                }
                yield true;
            }
            case Map<?, ?> m when b instanceof Map<?, ?> n -> {
                if (!m.keySet().equals(n.keySet())) {
                    yield false;
                }
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!same(e.getValue(), n.get(e.getKey()))) {
                        yield false;
                    }
                }
                yield true;
            }
            case Optional<?> o when b instanceof Optional<?> p -> same(o.orElse(null), p.orElse(null));
            default -> a.equals(b);
        };
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c + " of " + record.getClass().getName(), e);
        }
    }
}
