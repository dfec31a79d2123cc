package org.fossinfra.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.fossinfra.control.BackendView;
import org.fossinfra.control.FrontendStats;
import org.fossinfra.control.ReloadResult;
import org.fossinfra.control.ServerView;
import org.fossinfra.events.Event;
import org.fossinfra.health.CheckStatus;
import org.fossinfra.health.ServiceStatus;

/** The admin API's JSON shapes, in one place so that the dashboard and tests read the same field names. */
final class Json {
    private Json() {
    }

    static JsonObject frontend(FrontendStats f) {
        return new JsonObject()
                .put("name", f.name())
                .put("bind", f.bind())
                .put("liveConnections", f.liveConnections())
                .put("connections", f.connections())
                .put("requests", f.requests())
                .put("responses", classes(f.responses()))
                .put("errors", f.errors());
    }

    static JsonObject backend(BackendView b) {
        JsonArray servers = new JsonArray();
        b.servers().forEach(s -> servers.add(server(s)));
        return new JsonObject()
                .put("name", b.name())
                .put("balance", b.balance())
                .put("serversUp", b.serversUp())
                .put("serversTotal", b.servers().size())
                .put("queue", b.queue())
                .put("requests", b.requests())
                .put("responses", classes(b.responses()))
                .put("errors", b.errors())
                .put("retries", b.retries())
                .put("redispatches", b.redispatches())
                .put("servers", servers);
    }

    static JsonObject server(ServerView s) {
        JsonObject o = new JsonObject()
                .put("name", s.name())
                .put("backend", s.backend())
                .put("address", s.address())
                .put("status", s.status())
                .put("healthy", s.healthy())
                .put("admin", s.admin().name().toLowerCase(java.util.Locale.ROOT))
                .put("weight", s.weight())
                .put("active", s.active())
                .put("maxconn", s.maxconn())
                .put("backup", s.backup())
                .put("requests", s.requests())
                .put("errors", s.errors())
                .put("lastChange", Instant.ofEpochMilli(s.lastChangeMillis()).toString());
        CheckStatus c = s.check();
        if (c != null) {
            o.put("check", new JsonObject()
                    .put("result", c.lastResult())
                    .put("ok", c.lastOk())
                    .put("durationMs", c.lastDurationMs())
                    .put("consecutive", c.consecutive())
                    .put("checks", c.checks()));
        }
        return o;
    }

    /** A watched service; times are ISO-8601, or null before the first check / failure / change. */
    static JsonObject service(ServiceStatus s) {
        ServiceStatus.Counts c = s.counts();
        return new JsonObject()
                .put("name", s.name())
                .put("type", s.type())
                .put("target", s.target())
                .put("state", s.state().name())
                .put("lastResult", s.lastResult())
                .put("latencyMs", s.latencyMs())
                .put("lastError", s.lastError().orElse(null))
                .put("lastErrorAt", time(s.lastErrorMillis()))
                .put("lastCheck", time(s.lastCheckMillis()))
                .put("lastChange", time(s.lastChangeMillis()))
                .put("checks", c.checks())
                .put("failures", c.failures())
                .put("consecutiveFailures", c.consecutiveFailures())
                .put("recent", new JsonObject()
                        .put("window", c.window())
                        .put("failed", c.recentFailed())
                        .put("slow", c.recentSlow()));
    }

    private static String time(long epochMillis) {
        return epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    static JsonObject event(Event e) {
        return new JsonObject()
                .put("id", e.id())
                .put("time", e.time().toString())
                .put("type", e.type())
                .put("actor", e.actor())
                .put("subject", e.subject())
                .put("message", e.message())
                .put("data", new JsonObject(new java.util.LinkedHashMap<>(e.data())));
    }

    static JsonObject reload(ReloadResult r) {
        return new JsonObject()
                .put("applied", r.applied())
                .put("changes", new JsonArray(r.changes()))
                .put("restartRequired", new JsonArray(r.restartRequired()))
                .put("errors", new JsonArray(r.errors()));
    }

    private static JsonObject classes(long[] r) {
        return new JsonObject().put("1xx", r[1]).put("2xx", r[2]).put("3xx", r[3]).put("4xx", r[4]).put("5xx", r[5])
                .put("other", r[0]);
    }
}
