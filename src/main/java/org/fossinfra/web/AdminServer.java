package org.fossinfra.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import org.fossinfra.balance.AdminState;
import org.fossinfra.config.AdminConfig;
import org.fossinfra.control.Control;
import org.fossinfra.control.NotFoundException;
import org.fossinfra.events.EventQuery;
import org.fossinfra.events.StoreStatus;
import org.fossinfra.metrics.PrometheusMetrics;

/**
 * The admin listener: a JSON API over the {@link Control} operations, guarded by bearer tokens from the config, and
 * the {@link Dashboard}, guarded by sign-in sessions. The token's name is the actor of every change made with it
 * ("api:ops"); the user's, of every change made on the dashboard ("dashboard:alice"). The API never accepts a session
 * cookie and the dashboard never a token, so a page cannot be used to call the API with someone's browser.
 *
 * <pre>
 *   GET  /api/frontends                               frontends with live and total counts
 *   GET  /api/backends, /api/backends/{b}             backends and their servers
 *   GET  /api/backends/{b}/servers/{s}                one server
 *   PUT  /api/backends/{b}/servers/{s}/state  {"state":"drain"|"ready"|"maint"}
 *   PUT  /api/backends/{b}/servers/{s}/weight {"weight":0..256}
 *   GET  /api/services, /api/services/{name}          watched services (PostgreSQL, Redis, ...) and their state
 *   POST /api/reload                                  re-read the config file; 422 with errors, nothing changed
 *   GET  /api/events?limit=100&amp;type=server.down       newest first; also since, until (ISO-8601) and before (the
 *                                                     X-Next-Cursor of the previous page); from PostgreSQL when the
 *                                                     store is available, else from memory (X-Events-Source says which);
 *                                                     q=text keeps events whose type, actor, subject or message holds it
 *   GET  /metrics                                     Prometheus text format (same token)
 *   GET  /healthz                                     200 "ok", no token: for the node's own liveness probe
 * </pre>
 */
public final class AdminServer {
    private final Vertx vertx;
    private final AdminConfig config;
    /** The tokens in force: the config's at start, then each reload's (a token removed from the file stops at once). */
    private volatile List<AdminConfig.Token> tokens;
    private final Control control;
    private final PrometheusMetrics metrics;
    private final Dashboard dashboard;
    private HttpServer server;

    /** The JSON API alone, without the dashboard. */
    public AdminServer(Vertx vertx, AdminConfig config, Control control, PrometheusMetrics metrics) {
        this(vertx, config, control, metrics, null);
    }

    /** The JSON API and {@code dashboard} (null for none); closing the server closes the dashboard. */
    public AdminServer(Vertx vertx, AdminConfig config, Control control, PrometheusMetrics metrics, Dashboard dashboard) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.config = config;
        this.tokens = config.tokens();
        this.control = control;
        this.dashboard = dashboard;
    }

    /**
     * Takes a reloaded admin section: its tokens from the next request on, and its dashboard users (sessions of removed
     * users, or of users whose password changed, end). The listener's address is not changed here: a different
     * {@code admin.bind} waits for a restart, and the reload says so.
     */
    public void onReload(AdminConfig next) {
        tokens = next.tokens();
        if (dashboard != null) {
            dashboard.onReload(next);
        }
    }

    public Future<HttpServer> start() {
        Router r = Router.router(vertx);
        r.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok\n"));
        r.route("/api/*").handler(this::authenticate);
        r.route("/metrics").handler(this::authenticate);
        // Prometheus text format; scraped with the same bearer token (prometheus.yml: authorization.credentials).
        r.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::scrape).onSuccess(text -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text)).onFailure(ctx::fail));
        r.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        r.get("/api/frontends").handler(ctx -> {
            JsonArray a = new JsonArray();
            control.frontends().forEach(f -> a.add(Json.frontend(f)));
            json(ctx, 200, a);
        });
        r.get("/api/backends").handler(ctx -> {
            JsonArray a = new JsonArray();
            control.backends().forEach(b -> a.add(Json.backend(b)));
            json(ctx, 200, a);
        });
        r.get("/api/backends/:b").handler(ctx -> guarded(ctx, () -> Json.backend(control.backend(ctx.pathParam("b")))));
        r.get("/api/backends/:b/servers/:s").handler(ctx -> guarded(ctx,
                () -> Json.server(control.server(ctx.pathParam("b"), ctx.pathParam("s")))));
        r.get("/api/services").handler(ctx -> {
            JsonArray a = new JsonArray();
            control.services().forEach(svc -> a.add(Json.service(svc)));
            json(ctx, 200, a);
        });
        r.get("/api/services/:name").handler(ctx -> guarded(ctx, () -> Json.service(control.service(ctx.pathParam("name")))));
        r.put("/api/backends/:b/servers/:s/state").handler(this::setState);
        r.post("/api/backends/:b/servers/:s/state").handler(this::setState);
        r.put("/api/backends/:b/servers/:s/weight").handler(this::setWeight);
        r.post("/api/backends/:b/servers/:s/weight").handler(this::setWeight);
        r.post("/api/reload").handler(ctx -> vertx.executeBlocking(() -> control.reload(actor(ctx)))
                .onSuccess(res -> json(ctx, res.applied() ? 200 : 422, Json.reload(res)))
                .onFailure(ctx::fail));
        r.get("/api/events").handler(this::events);
        r.route("/api/*").handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
                + ctx.request().path()));
        if (dashboard != null) {
            dashboard.mount(r);
        }
        r.errorHandler(500, InternalErrors::handle);
        r.errorHandler(405, ctx -> error(ctx, 405, "method not allowed"));
        r.route().last().handler(ctx -> ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                .end("foss-infra admin listener: nothing here. The dashboard is at / (sign in at /login); the JSON API"
                        + " lives under /api (Authorization: Bearer <token>)\n"));
        return vertx.createHttpServer(new HttpServerOptions().setHost(config.bind().host()).setPort(config.bind().port()))
                .requestHandler(r)
                .listen()
                .onSuccess(s -> server = s);
    }

    /** The dashboard on this listener, or null (for tests in this package). */
    Dashboard dashboard() {
        return dashboard;
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        if (dashboard != null) {
            dashboard.close();
        }
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void authenticate(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            for (AdminConfig.Token t : tokens) {
                // Constant-time comparison: the API must not leak a token byte by byte through timing.
                if (MessageDigest.isEqual(given, t.secret().getBytes(StandardCharsets.UTF_8))) {
                    ctx.put("actor", "api:" + t.name());
                    ctx.next();
                    return;
                }
            }
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"foss-infra\"");
        error(ctx, 401, "missing or wrong token; send Authorization: Bearer <token> with a token from admin.tokens");
    }

    private static String actor(RoutingContext ctx) {
        return ctx.get("actor");
    }

    private void setState(RoutingContext ctx) {
        JsonObject body = bodyJson(ctx);
        if (body == null) {
            return;
        }
        String state = body.getValue("state") instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
        AdminState target = state == null ? null : switch (state) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> null;
        };
        if (target == null) {
            error(ctx, 400, "state: " + body.getValue("state") + " (expected: \"ready\", \"drain\" or \"maint\")");
            return;
        }
        guarded(ctx, () -> Json.server(control.setState(actor(ctx), ctx.pathParam("b"), ctx.pathParam("s"), target)));
    }

    private void setWeight(RoutingContext ctx) {
        JsonObject body = bodyJson(ctx);
        if (body == null) {
            return;
        }
        if (!(body.getValue("weight") instanceof Integer w)) {
            error(ctx, 400, "weight: " + body.getValue("weight") + " (expected: an integer 0..256)");
            return;
        }
        guarded(ctx, () -> Json.server(control.setWeight(actor(ctx), ctx.pathParam("b"), ctx.pathParam("s"), w)));
    }

    /**
     * A page of events. The body stays a JSON array of events, as before paging existed; where the page came from and
     * how to get the next one are headers: {@code X-Events-Source} (store or memory), {@code X-Events-Store} (the
     * store's state) with {@code X-Events-Store-Detail} when it is not available, and {@code X-Next-Cursor} with a
     * {@code Link: <...>; rel="next"} when there are older events. The query runs on a worker thread (JDBC).
     */
    private void events(RoutingContext ctx) {
        EventQuery q;
        try {
            q = new EventQuery(ctx.request().getParam("type"), instant(ctx, "since"), instant(ctx, "until"),
                    ctx.request().getParam("before"), limit(ctx.request().getParam("limit")),
                    ctx.request().getParam("q"));
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        vertx.executeBlocking(() -> control.events().query(q)).onSuccess(page -> {
            JsonArray a = new JsonArray();
            page.events().forEach(e -> a.add(Json.event(e)));
            StoreStatus st = page.store();
            ctx.response().putHeader("X-Events-Source", page.source().name().toLowerCase(Locale.ROOT))
                    .putHeader("X-Events-Store", st.state().name().toLowerCase(Locale.ROOT));
            if (!st.available() && !st.detail().isEmpty()) {
                ctx.response().putHeader("X-Events-Store-Detail", headerText(st.detail()));
            }
            page.next().ifPresent(cursor -> ctx.response().putHeader("X-Next-Cursor", cursor)
                    .putHeader("Link", "<" + nextLink(ctx, cursor) + ">; rel=\"next\""));
            json(ctx, 200, a);
        }).onFailure(e -> {
            if (e instanceof IllegalArgumentException) {
                error(ctx, 400, e.getMessage());
            } else {
                ctx.fail(e);
            }
        });
    }

    private static int limit(String l) {
        if (l == null) {
            return 100;
        }
        try {
            return new EventQuery(null, null, null, null, Integer.parseInt(l)).limit();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("limit: " + l + " (expected: 1.." + EventQuery.MAX_LIMIT + ")");
        }
    }

    private static Instant instant(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: an ISO-8601 time such as"
                    + " 2026-11-27T09:00:00Z)");
        }
    }

    /** This request's URI with {@code before} set to {@code cursor}. */
    private static String nextLink(RoutingContext ctx, String cursor) {
        StringBuilder sb = new StringBuilder(ctx.request().path()).append("?");
        ctx.queryParams().forEach((k, v) -> {
            if (!k.equals("before")) {
                sb.append(enc(k)).append('=').append(enc(v)).append('&');
            }
        });
        return sb.append("before=").append(enc(cursor)).toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Header values are Latin-1 text on one line: anything else becomes '?'. */
    private static String headerText(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    private static JsonObject bodyJson(RoutingContext ctx) {
        try {
            JsonObject o = ctx.body().asJsonObject();
            if (o == null) {
                error(ctx, 400, "expected a JSON object body");
            }
            return o;
        } catch (RuntimeException e) {
            error(ctx, 400, "body is not valid JSON: " + e.getMessage());
            return null;
        }
    }

    private interface Action {
        Object run() throws NotFoundException;
    }

    private static void guarded(RoutingContext ctx, Action a) {
        try {
            json(ctx, 200, a.run());
        } catch (NotFoundException e) {
            error(ctx, 404, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
        }
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        String text = body instanceof JsonObject o ? o.encodePrettily() : ((JsonArray) body).encodePrettily();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text + "\n");
    }

    private static void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        json(ctx, status, new JsonObject().put("error", message));
    }
}
