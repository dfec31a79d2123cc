package org.fossinfra.web;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fossinfra.control.BackendView;
import org.fossinfra.control.Control;
import org.fossinfra.events.Event;
import org.fossinfra.health.ServiceStatus;
import org.fossinfra.metrics.History;
import org.fossinfra.metrics.HostSample;
import org.fossinfra.metrics.Telemetry;
import org.fossinfra.metrics.Tick;

/**
 * The overview page (overview.jte, hook overview.js): what the seed's LiveView dashboard showed, from one tick. The
 * charts start with the last {@link #CHART_SECONDS} seconds of history embedded in the page, so they are never empty,
 * and then get one point a tick as JSON.
 */
final class OverviewPage implements LivePage {
    static final int CHART_SECONDS = 300;
    static final int RECENT_EVENTS = 9;
    /** The series the charts draw, as named in {@link Telemetry#SERIES}. */
    static final List<String> CHART_SERIES = List.of("p50", "p95", "p99", "rps2xx", "rps3xx", "rps4xx", "rps5xx");

    /** This node, as the cluster panel shows it. */
    record NodeInfo(String name, String version, String transport) {
    }

    /** Everything overview.jte shows. */
    record View(Chrome chrome, Tick tick, NodeInfo node, List<BackendView> backends, List<ServiceStatus> services,
                List<Event> events, String history) {
        int serversUp() {
            return backends.stream().mapToInt(BackendView::serversUp).sum();
        }

        int serversTotal() {
            return backends.stream().mapToInt(b -> b.servers().size()).sum();
        }

        long requestsTotal() {
            return tick.frontends().stream().mapToLong(Tick.FrontendRate::totalRequests).sum();
        }

        double rx() {
            return tick.host().interfaces().stream().mapToDouble(HostSample.Interface::rxBytesPerSec).sum();
        }

        double tx() {
            return tick.host().interfaces().stream().mapToDouble(HostSample.Interface::txBytesPerSec).sum();
        }

        long interfacesUp() {
            return tick.host().interfaces().stream().filter(HostSample.Interface::up).count();
        }

        double maxLoopDelay() {
            double max = 0;
            for (double d : tick.eventLoopDelaysSeconds()) {
                max = Math.max(max, d);
            }
            return max;
        }
    }

    private final Dashboard dashboard;
    private final Control control;
    private final Telemetry telemetry;
    private final NodeInfo node;

    OverviewPage(Dashboard dashboard, Control control, Telemetry telemetry, NodeInfo node) {
        this.dashboard = dashboard;
        this.control = control;
        this.telemetry = telemetry;
        this.node = node;
    }

    @Override
    public String name() {
        return "overview";
    }

    void show(RoutingContext ctx, Sessions.Session session) {
        Chrome chrome = dashboard.chrome("Overview", name(), session, "overview.js");
        dashboard.html(ctx, 200, dashboard.templates().page("overview", view(chrome, telemetry.latest(), history())));
    }

    @Override
    public Map<String, String> parts(Tick tick, String viewKey) {
        View v = view(null, tick, null);
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : List.of("cards", "nodes", "services", "events")) {
            parts.put(part, dashboard.templates().part("overview", v, part));
        }
        parts.put("chart", point(tick));
        return parts;
    }

    private View view(Chrome chrome, Tick tick, String history) {
        return new View(chrome, tick, node, control.backends(), control.services(),
                control.events().recent(RECENT_EVENTS, null), history);
    }

    /** The last {@link #CHART_SECONDS} of the chart series: {"t":[...],"p50":[...],...}, null where there was no data. */
    private String history() {
        History h = telemetry.history();
        StringBuilder sb = new StringBuilder(16 * 1024).append('{');
        History.Points first = h.lastSeconds(CHART_SERIES.getFirst(), CHART_SECONDS);
        sb.append("\"t\":[");
        for (int i = 0; i < first.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(first.epochSeconds()[i]);
        }
        sb.append(']');
        for (String series : CHART_SERIES) {
            History.Points p = h.lastSeconds(series, CHART_SECONDS);
            sb.append(",\"").append(series).append("\":[");
            for (int i = 0; i < p.size(); i++) {
                sb.append(i == 0 ? "" : ",");
                number(sb, p.values()[i]);
            }
            sb.append(']');
        }
        return sb.append('}').toString();
    }

    /** One chart point from a tick, the same figures {@link Telemetry} records in history. */
    static String point(Tick t) {
        StringBuilder sb = new StringBuilder(160).append("{\"t\":").append(t.epochSecond());
        double[] values = {ms(t.latency().p50()), ms(t.latency().p95()), ms(t.latency().p99()),
            t.rpsByClass()[2], t.rpsByClass()[3], t.rpsByClass()[4], t.rpsByClass()[5]};
        for (int i = 0; i < values.length; i++) {
            sb.append(",\"").append(CHART_SERIES.get(i)).append("\":");
            number(sb, values[i]);
        }
        return sb.append('}').toString();
    }

    private static double ms(double seconds) {
        return seconds * 1000; // NaN stays NaN: a gap in the chart
    }

    private static void number(StringBuilder sb, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            sb.append("null");
        } else {
            sb.append(Math.round(v * 1000) / 1000.0);
        }
    }
}
