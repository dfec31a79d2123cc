package org.fossinfra.web;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.fossinfra.config.AdminConfig;
import org.fossinfra.control.Control;
import org.fossinfra.metrics.Telemetry;
import org.fossinfra.store.Database;

/**
 * The dashboard on the admin listener: sign-in, six pages (overview, backends, events, host, database, matrix), their
 * live stream and their assets. This class only assembles: each page is a class and a template, sessions and the login
 * rate limit are their own classes, and the live stream is {@link LiveUpdates}.
 *
 * <pre>
 *   GET  /login, POST /login, POST /logout            sign in / out
 *   GET  /, /backends, /events, /host, /database, /matrix   pages (no session: 302 to /login?next=...)
 *   POST /backends/{b}/servers/{s}/state|weight       actions (session and CSRF token, else 401/403)
 *   GET  /stream/{page}                               live updates, text/event-stream (no session: 401)
 *   GET  /assets/{hash}/{name}                        htmx, uPlot, CSS, JS hooks (public; no data in them)
 * </pre>
 *
 * <p>Every page answer carries a strict Content-Security-Policy (scripts and styles from this origin only, no inline
 * script or style, no framing), so an event message or server name that somehow held markup could not run.
 */
public final class Dashboard implements AutoCloseable {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final long SWEEP_MILLIS = 60_000;

    private final Vertx vertx;
    private final String nodeName;
    private final Sessions sessions = new Sessions();
    private final PasswordChecker passwords = new PasswordChecker();
    private final Assets assets = new Assets();
    private final Templates templates = new Templates();
    private final LoginPage login;
    private final OverviewPage overview;
    private final BackendsPage backends;
    private final EventsPage events;
    private final HostPage host;
    private final MatrixPage matrix;
    private final DatabasePage database;
    private final LiveUpdates live;
    private final AutoCloseable tickSubscription;
    private final long sweepTimer;

    /** What flash.jte shows: {@code ok} or {@code error}, and the message. */
    record Flash(String kind, String message) {
    }

    /** A page or action handler that runs only with a live session. */
    interface SessionHandler {
        void handle(RoutingContext ctx, Sessions.Session session);
    }

    public Dashboard(Vertx vertx, AdminConfig admin, Control control, Telemetry telemetry, String nodeName,
                     String transport) {
        this(vertx, admin, control, telemetry, nodeName, transport, Optional::empty);
    }

    /** @param database the node's event-store database once it exists (the node makes it after the dashboard) */
    public Dashboard(Vertx vertx, AdminConfig admin, Control control, Telemetry telemetry, String nodeName,
                     String transport, Supplier<Optional<Database>> database) {
        this.vertx = vertx;
        this.nodeName = nodeName;
        String version = Dashboard.class.getPackage().getImplementationVersion();
        this.login = new LoginPage(this, vertx, sessions, new LoginLimiter(), passwords, control.events(),
                admin.users());
        this.overview = new OverviewPage(this, control, telemetry,
                new OverviewPage.NodeInfo(nodeName, version == null ? "development build" : "v" + version, transport));
        this.backends = new BackendsPage(this, control, telemetry);
        this.events = new EventsPage(this, vertx, control.events());
        this.host = new HostPage(this, telemetry);
        this.matrix = new MatrixPage(this);
        this.database = new DatabasePage(this, database);
        this.live = new LiveUpdates(vertx, List.of(overview, backends, events, host, this.database, matrix));
        this.tickSubscription = telemetry.onTick(live::onTick);
        this.sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sessions.sweep(System.currentTimeMillis()));
    }

    /** Adds the dashboard's routes; the admin API's routes come first, the listener's 404 after. */
    void mount(Router r) {
        r.get("/assets/:hash/:name").handler(assets::handle);
        BodyHandler forms = BodyHandler.create(false).setBodyLimit(16 * 1024);
        r.post("/login").handler(forms).handler(login::submit);
        r.get("/login").handler(login::show);
        r.post("/logout").handler(forms).handler(action(login::logout));
        r.get("/").handler(page(overview::show));
        r.get("/backends").handler(page(backends::show));
        r.get("/events").handler(page(events::show));
        r.get("/host").handler(page(host::show));
        r.get("/database").handler(page(database::show));
        r.get("/matrix").handler(page(matrix::show));
        r.post("/backends/:b/servers/:s/state").handler(forms).handler(action(backends::setState));
        r.post("/backends/:b/servers/:s/weight").handler(forms).handler(action(backends::setWeight));
        r.get("/stream/:page").handler(ctx -> session(ctx).ifPresentOrElse(s -> live.handle(ctx, s),
                () -> ctx.response().setStatusCode(401).putHeader("Content-Type", "text/plain")
                        .putHeader("Cache-Control", "no-store").end("sign in at /login first\n")));
    }

    /** The live session of this request's cookie, if any. */
    Optional<Sessions.Session> session(RoutingContext ctx) {
        Cookie c = ctx.request().getCookie(Sessions.COOKIE);
        return c == null ? Optional.empty() : sessions.find(c.getValue(), System.currentTimeMillis());
    }

    /** A page: without a session, to the login (htmx requests get a 401 telling htmx to go there). */
    private Handler<RoutingContext> page(SessionHandler h) {
        return ctx -> session(ctx).ifPresentOrElse(s -> h.handle(ctx, s), () -> {
            if (isHtmx(ctx)) {
                ctx.response().putHeader("HX-Redirect", "/login");
                result(ctx, 401, "Your session has ended; sign in again.", "/login");
            } else {
                redirect(ctx, 302, "/login?next=" + java.net.URLEncoder.encode(ctx.request().uri(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        });
    }

    /** A state change: needs a session, a same-origin request, and the session's CSRF token. */
    private Handler<RoutingContext> action(SessionHandler h) {
        return ctx -> {
            Optional<Sessions.Session> s = session(ctx);
            if (s.isEmpty()) {
                ctx.response().putHeader("HX-Redirect", "/login");
                result(ctx, 401, "Your session has ended; sign in again.", "/login");
                return;
            }
            if (crossSite(ctx)) {
                result(ctx, 403, "Refused: the request came from another site.", null);
                return;
            }
            String token = ctx.request().getHeader("X-CSRF-Token");
            if (token == null) {
                token = ctx.request().getFormAttribute("_csrf");
            }
            if (!s.get().csrfMatches(token)) {
                result(ctx, 403, "Refused: the form's security token is missing or stale. Reload the page and try again.",
                        null);
                return;
            }
            h.handle(ctx, s.get());
        };
    }

    /** Browsers say where a request comes from; anything but this origin is refused (the CSRF token is the main guard). */
    private static boolean crossSite(RoutingContext ctx) {
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return true;
        }
        String origin = ctx.request().getHeader("Origin");
        // The Host header, or HTTP/2's :authority.
        var authority = ctx.request().authority();
        String host = authority == null ? null : authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
        return origin != null && (host == null || !origin.equals((ctx.request().isSSL() ? "https://" : "http://") + host));
    }

    Chrome chrome(String title, String page, Sessions.Session s, String script) {
        return new Chrome(title, page, nodeName, s.user(), s.csrf(), "/stream/" + page, script, assets);
    }

    /** A rendered page with the dashboard's security headers. */
    void html(RoutingContext ctx, int status, String body) {
        securityHeaders(ctx).setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(body);
    }

    /**
     * The answer to an action: for htmx a message for the flash area (shown whatever the status); for a plain form a
     * redirect back to {@code back} (or the message as text when there is nowhere to go back to).
     */
    void result(RoutingContext ctx, int status, String message, String back) {
        if (isHtmx(ctx) || back == null) {
            String kind = status < 300 ? "ok" : "error";
            html(ctx, status, templates.page("flash", new Flash(kind, message)));
        } else {
            redirect(ctx, 303, back);
        }
    }

    static void redirect(RoutingContext ctx, int status, String location) {
        ctx.response().setStatusCode(status).putHeader("Location", location).putHeader("Cache-Control", "no-store")
                .end();
    }

    private static io.vertx.core.http.HttpServerResponse securityHeaders(RoutingContext ctx) {
        return ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "same-origin")
                .putHeader("Cache-Control", "no-store");
    }

    private static boolean isHtmx(RoutingContext ctx) {
        return "true".equals(ctx.request().getHeader("HX-Request"));
    }

    Templates templates() {
        return templates;
    }

    Assets assets() {
        return assets;
    }

    String nodeName() {
        return nodeName;
    }

    /** Takes a reloaded admin section's users: see {@link LoginPage#onReload}. */
    void onReload(AdminConfig next) {
        login.onReload(next.users());
    }

    /** Shows {@code bot} on the Matrix page (started after the dashboard, so it is handed over here). */
    public void showMatrix(org.fossinfra.matrix.MatrixBot bot) {
        matrix.attach(bot);
    }

    /** The sign-in password checker (tests count its checks). */
    PasswordChecker passwords() {
        return passwords;
    }

    /** Live viewers connected now (for tests and the benchmark's sanity check). */
    int viewers() {
        return live.viewers();
    }

    @Override
    public void close() {
        vertx.cancelTimer(sweepTimer);
        try {
            tickSubscription.close();
        } catch (Exception ignored) {
            // a list removal; cannot fail
        }
        live.close();
        passwords.close();
    }
}
