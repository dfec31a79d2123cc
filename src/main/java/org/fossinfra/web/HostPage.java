package org.fossinfra.web;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fossinfra.metrics.Telemetry;
import org.fossinfra.metrics.Tick;

/** The host page (host.jte): per-core CPU, memory, disks, interfaces and this node's process, from one tick. */
final class HostPage implements LivePage {
    private static final List<String> PARTS = List.of("cpu", "memory", "disks", "interfaces", "process");

    /** Everything host.jte shows. */
    record View(Chrome chrome, Tick tick) {
    }

    private final Dashboard dashboard;
    private final Telemetry telemetry;

    HostPage(Dashboard dashboard, Telemetry telemetry) {
        this.dashboard = dashboard;
        this.telemetry = telemetry;
    }

    @Override
    public String name() {
        return "host";
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Chrome chrome = dashboard.chrome("Host", name(), session, null);
        dashboard.html(ctx, 200, dashboard.templates().page("host", new View(chrome, telemetry.latest())));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = new View(null, tick);
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : PARTS) {
            parts.put(part, dashboard.templates().part("host", v, part));
        }
        return parts;
    }
}
