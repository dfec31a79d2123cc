package org.fossinfra.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Checks that span sections, run once everything is read: unique frontend, backend and service names, route targets
 * that exist, binds that do not collide. Readers note each name, reference and bind here with its line as they go.
 */
final class CrossChecks {
    private record Named(String name, int line, String field) {
    }

    private record Bind(String owner, HostPort address, int line, String field) {
    }

    private final List<Named> frontends = new ArrayList<>();
    private final List<Named> backends = new ArrayList<>();
    private final List<Named> services = new ArrayList<>();
    private final List<Named> backendRefs = new ArrayList<>();
    private final List<Named> rateLimits = new ArrayList<>();
    private final List<Named> rateLimitRefs = new ArrayList<>();
    private final List<Bind> binds = new ArrayList<>();

    void frontend(String name, int line, String field) {
        frontends.add(new Named(name, line, field));
    }

    void backend(String name, int line, String field) {
        backends.add(new Named(name, line, field));
    }

    void service(String name, int line, String field) {
        services.add(new Named(name, line, field));
    }

    /** A route's {@code backend} or a frontend's {@code default-backend}. */
    void backendRef(String name, int line, String field) {
        backendRefs.add(new Named(name, line, field));
    }

    /** A rule of the top-level {@code rate-limits}. */
    void rateLimit(String name, int line, String field) {
        rateLimits.add(new Named(name, line, field));
    }

    /** A frontend's or backend's {@code rate-limits} entry. */
    void rateLimitRef(String name, int line, String field) {
        rateLimitRefs.add(new Named(name, line, field));
    }

    /** @param owner "frontend 'http'" or "the admin listener" */
    void bind(String owner, HostPort address, int line, String field) {
        binds.add(new Bind(owner, address, line, field));
    }

    /** Names of the backends read so far, in file order. */
    List<String> backendNames() {
        return List.copyOf(new LinkedHashSet<>(backends.stream().map(Named::name).toList()));
    }

    void run(Context ctx) {
        unique(ctx, frontends, "frontend");
        unique(ctx, backends, "backend");
        unique(ctx, services, "service");
        unique(ctx, rateLimits, "rate-limit rule");
        List<String> rules = List.copyOf(new LinkedHashSet<>(rateLimits.stream().map(Named::name).toList()));
        for (Named ref : rateLimitRefs) {
            if (!rules.contains(ref.name())) {
                String otherwise = rules.isEmpty() ? "define it under the top-level rate-limits:"
                        : "use one of " + String.join(", ", rules);
                ctx.error(ref.line(), ref.field(), "rate-limit rule '" + ref.name() + "' does not exist",
                        Suggestions.didYouMean(ref.name(), rules, otherwise));
            }
        }
        List<String> known = backendNames();
        for (Named ref : backendRefs) {
            if (!known.contains(ref.name())) {
                String otherwise = known.isEmpty() ? "define it under backends:" : "use one of " + String.join(", ", known);
                ctx.error(ref.line(), ref.field(), "backend '" + ref.name() + "' does not exist",
                        Suggestions.didYouMean(ref.name(), known, otherwise));
            }
        }
        for (int j = 0; j < binds.size(); j++) {
            Bind later = binds.get(j);
            for (int i = 0; i < j; i++) {
                Bind earlier = binds.get(i);
                if (collide(earlier.address(), later.address())) {
                    String same = earlier.address().equals(later.address()) ? "is already bound by "
                            : "overlaps " + earlier.address() + " of ";
                    ctx.error(later.line(), later.field(),
                            later.address() + " " + same + earlier.owner() + " (line " + earlier.line() + ")",
                            "use another port or address");
                    break;
                }
            }
        }
    }

    private static void unique(Context ctx, List<Named> named, String kind) {
        Map<String, Named> first = new HashMap<>();
        for (Named n : named) {
            Named earlier = first.putIfAbsent(n.name(), n);
            if (earlier != null) {
                ctx.error(n.line(), n.field(), "duplicate " + kind + " name '" + n.name() + "' (first at line "
                        + earlier.line() + ")", "give each " + kind + " its own name");
            }
        }
    }

    /** Same port (not 0) and the same host, or a wildcard on either side: the second bind would fail at startup. */
    private static boolean collide(HostPort a, HostPort b) {
        if (a.port() == 0 || a.port() != b.port()) {
            return false;
        }
        return a.host().equalsIgnoreCase(b.host()) || Addresses.isWildcard(a) || Addresses.isWildcard(b);
    }
}
