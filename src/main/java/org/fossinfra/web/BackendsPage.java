package org.fossinfra.web;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.fossinfra.balance.AdminState;
import org.fossinfra.control.BackendView;
import org.fossinfra.control.Control;
import org.fossinfra.control.FrontendStats;
import org.fossinfra.control.NotFoundException;
import org.fossinfra.control.ServerView;
import org.fossinfra.health.CheckStatus;
import org.fossinfra.metrics.Telemetry;
import org.fossinfra.metrics.Tick;

/**
 * The backends page (backends.jte): HAProxy's stats page, live, with the actions drain, ready, maint and set weight.
 * State comes from {@link Control} (what is true now), rates and latencies from the tick (the last second). Actions go
 * through the same {@link Control} calls as the admin API, with the actor {@code dashboard:<user>}, so each is an event
 * naming who did it.
 */
final class BackendsPage implements LivePage {
    record FrontendRow(String name, String bind, int live, double rps, double errors, double[] byClass, double p50,
                       double p99, long total) {
    }

    record ServerRow(String id, String name, String address, String status, boolean backup, int weight, int active,
                     int peak, int maxconn, double rps, double errorsPerSec, long total, CheckStatus check,
                     long lastChange) {
    }

    record BackendBlock(String id, String name, String balance, int up, int queue, double rps, double errorsPerSec,
                        double p50, double p95, double p99, List<ServerRow> servers) {
    }

    /** @param csrf the session's token for the forms' hidden field; null in live parts, which all viewers share */
    record View(Chrome chrome, String csrf, List<FrontendRow> frontends, List<BackendBlock> backends, long now) {
    }

    private final Dashboard dashboard;
    private final Control control;
    private final Telemetry telemetry;
    /** The most sessions seen on each server, sampled at page renders and ticks (HAProxy's "Max" column). */
    private final Map<String, Integer> peaks = new ConcurrentHashMap<>();

    BackendsPage(Dashboard dashboard, Control control, Telemetry telemetry) {
        this.dashboard = dashboard;
        this.control = control;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return "backends";
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Chrome chrome = dashboard.chrome("Backends", name(), session, null);
        dashboard.html(ctx, 200, dashboard.templates().page("backends", view(chrome, session.csrf(), telemetry.latest())));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = view(null, null, tick);
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("frontends", dashboard.templates().part("backends", v, "frontends"));
        parts.put("backends", dashboard.templates().part("backends", v, "backends"));
        return parts;
    }

    /** POST /backends/:b/servers/:s/state with state=ready|drain|maint. */
    void setState(RoutingContext ctx, Sessions.Session session) {
        String given = ctx.request().getFormAttribute("state");
        AdminState state = given == null ? null : switch (given.toLowerCase(Locale.ROOT)) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> null;
        };
        if (state == null) {
            dashboard.result(ctx, 400, "state: " + given + " (expected: ready, drain or maint)", "/backends");
            return;
        }
        act(ctx, () -> {
            ServerView s = control.setState(session.actor(), ctx.pathParam("b"), ctx.pathParam("s"), state);
            return s.backend() + "/" + s.name() + " is now " + s.status() + " (set to " + state + " by "
                    + session.user() + ")";
        });
    }

    /** POST /backends/:b/servers/:s/weight with weight=0..256. */
    void setWeight(RoutingContext ctx, Sessions.Session session) {
        String given = ctx.request().getFormAttribute("weight");
        int weight;
        try {
            weight = Integer.parseInt(given == null ? "" : given.trim());
        } catch (NumberFormatException e) {
            dashboard.result(ctx, 400, "weight: " + given + " (expected: a whole number 0..256)", "/backends");
            return;
        }
        act(ctx, () -> {
            ServerView s = control.setWeight(session.actor(), ctx.pathParam("b"), ctx.pathParam("s"), weight);
            return s.backend() + "/" + s.name() + " weight is now " + s.weight() + " (set by " + session.user() + ")";
        });
    }

    private interface Action {
        String run() throws NotFoundException;
    }

    private void act(RoutingContext ctx, Action a) {
        try {
            dashboard.result(ctx, 200, a.run(), "/backends");
        } catch (NotFoundException e) {
            dashboard.result(ctx, 404, e.getMessage(), "/backends");
        } catch (IllegalArgumentException e) {
            dashboard.result(ctx, 400, e.getMessage(), "/backends");
        }
    }

    private View view(Chrome chrome, String csrf, Tick tick) {
        Map<String, Tick.FrontendRate> fRates = new HashMap<>();
        tick.frontends().forEach(f -> fRates.put(f.name(), f));
        List<FrontendRow> frontends = new ArrayList<>();
        for (FrontendStats f : control.frontends()) {
            Tick.FrontendRate r = fRates.get(f.name());
            frontends.add(r == null
                    ? new FrontendRow(f.name(), f.bind(), f.liveConnections(), 0, 0, new double[6], Double.NaN,
                            Double.NaN, f.requests())
                    : new FrontendRow(f.name(), f.bind(), f.liveConnections(), r.requestsPerSec(), r.rpsByClass()[5],
                            r.rpsByClass(), r.latency().p50(), r.latency().p99(), f.requests()));
        }
        Map<String, Tick.BackendRate> bRates = new HashMap<>();
        tick.backends().forEach(b -> bRates.put(b.name(), b));
        List<BackendBlock> backends = new ArrayList<>();
        for (BackendView b : control.backends()) {
            Tick.BackendRate r = bRates.get(b.name());
            Map<String, Tick.ServerRate> sRates = new HashMap<>();
            if (r != null) {
                r.servers().forEach(s -> sRates.put(s.name(), s));
            }
            List<ServerRow> servers = new ArrayList<>();
            for (ServerView s : b.servers()) {
                Tick.ServerRate sr = sRates.get(s.name());
                int peak = peaks.merge(b.name() + "/" + s.name(), s.active(), Math::max);
                servers.add(new ServerRow(id(b.name(), s.name()), s.name(), s.address(), s.status(), s.backup(),
                        s.weight(), s.active(), peak, s.maxconn(), sr == null ? 0 : sr.requestsPerSec(),
                        sr == null ? 0 : sr.errorsPerSec(), s.requests(), s.check(), s.lastChangeMillis()));
            }
            backends.add(new BackendBlock(id(b.name(), ""), b.name(), b.balance(), b.serversUp(), b.queue(),
                    r == null ? 0 : r.requestsPerSec(), r == null ? 0 : r.rpsByClass()[5],
                    r == null ? Double.NaN : r.latency().p50(), r == null ? Double.NaN : r.latency().p95(),
                    r == null ? Double.NaN : r.latency().p99(), servers));
        }
        return new View(chrome, csrf, frontends, backends, System.currentTimeMillis());
    }

    /** An element id for a backend or server: hex, since names may hold dots, which CSS selectors would misread. */
    private static String id(String backend, String server) {
        return HexFormat.of().formatHex((backend + "/" + server).getBytes(StandardCharsets.UTF_8));
    }
}
