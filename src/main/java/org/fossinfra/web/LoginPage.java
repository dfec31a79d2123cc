package org.fossinfra.web;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.fossinfra.config.AdminConfig;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and sign-out (login.jte). Passwords are checked against the bcrypt hashes of {@code admin.users} by the
 * {@link PasswordChecker} (a few threads of its own, a short queue; beyond it 429); an unknown user name costs the same
 * time as a wrong password. Every attempt counts towards {@link LoginLimiter} before its check runs, so a burst of
 * concurrent attempts gets no more checks than the limit allows; refusals by the limit answer 429 without checking.
 *
 * <p>Events: {@code auth.login.failed} for every failure and {@code auth.login.limited} once per lock-out. A user name
 * that is not configured is never in them (nor in what the ops room is told): people type their password into the
 * name box, and a failed name is often one.
 */
final class LoginPage {
    private static final Logger log = LoggerFactory.getLogger(LoginPage.class);
    /** Longest user name kept from a form: more is an attack, not a typo, and events must stay readable. */
    static final int MAX_NAME = 64;
    /** What events say instead of a typed name that no user has. */
    static final String UNKNOWN = "(unknown user name)";

    /** Everything login.jte shows. */
    record View(String node, Assets assets, String error, String next, String user, String footer) {
    }

    private final Dashboard dashboard;
    private final Vertx vertx;
    private final Sessions sessions;
    private final LoginLimiter limiter;
    private final PasswordChecker checker;
    private final EventLog events;
    /** User name → bcrypt hash, replaced whole by a reload (never changed in place). */
    private volatile Map<String, String> hashes;

    LoginPage(Dashboard dashboard, Vertx vertx, Sessions sessions, LoginLimiter limiter, PasswordChecker checker,
              EventLog events, List<AdminConfig.User> users) {
        this.dashboard = dashboard;
        this.vertx = vertx;
        this.sessions = sessions;
        this.limiter = limiter;
        this.checker = checker;
        this.events = events;
        this.hashes = hashes(users);
    }

    /**
     * A reload's users: from now on sign-ins check against them, and the sessions of users who are gone or whose
     * password hash changed end (their next request goes to the sign-in page; their live views close).
     */
    void onReload(List<AdminConfig.User> users) {
        Map<String, String> before = hashes;
        Map<String, String> after = hashes(users);
        hashes = after;
        int ended = sessions.endUsers(u -> !Objects.equals(before.get(u), after.get(u)));
        if (ended > 0) {
            log.info("dashboard: {} session(s) ended by a reload (their user was removed or got a new password)", ended);
        }
    }

    /** GET /login: the form, or straight on when already signed in. */
    void show(RoutingContext ctx) {
        String next = safeNext(ctx.request().getParam("next"));
        if (dashboard.session(ctx).isPresent()) {
            Dashboard.redirect(ctx, 302, next);
            return;
        }
        render(ctx, 200, null, next, "");
    }

    /** POST /login with user, password and next. */
    void submit(RoutingContext ctx) {
        String user = clean(ctx.request().getFormAttribute("user"));
        String password = ctx.request().getFormAttribute("password");
        String next = safeNext(ctx.request().getFormAttribute("next"));
        String address = ctx.request().remoteAddress().hostAddress();
        Map<String, String> users = hashes;
        boolean configured = users.containsKey(user);
        switch (limiter.admit(address, user, System.currentTimeMillis())) {
            case LoginLimiter.Limited l -> {
                if (l.firstNotice()) {
                    String who = configured ? "as '" + user + "' " : "";
                    events.record(EventType.AUTH_LOGIN_LIMITED, actor(user, configured), address, "sign-ins " + who
                            + "from " + address + " refused for " + l.retryAfterSeconds() + " s after "
                            + LoginLimiter.MAX_FAILURES + " failures within a minute", data(user, configured, address));
                }
                tooMany(ctx, l.retryAfterSeconds(), "Too many failed sign-ins. Try again in " + l.retryAfterSeconds()
                        + " s.", next, user);
            }
            case LoginLimiter.Allowed attempt -> {
                String hash = users.get(user);
                var check = checker.check(password == null ? "" : password, hash);
                if (check.isEmpty()) {
                    // Nothing was guessed: the attempt does not count, and the client may try again in a second.
                    limiter.cancelled(address, user, attempt);
                    tooMany(ctx, 1, "The server is busy checking other sign-ins. Try again in a second.", next, user);
                    return;
                }
                Context loop = vertx.getOrCreateContext();
                check.get().whenComplete((ok, failure) -> loop.runOnContext(v -> finish(ctx, address, user, hash,
                        attempt, failure == null && ok, next)));
            }
        }
    }

    /** Back on the request's event loop with the check's verdict. */
    private void finish(RoutingContext ctx, String address, String user, String hash, LoginLimiter.Allowed attempt,
                        boolean matched, String next) {
        long at = System.currentTimeMillis();
        // A reload may have removed the user or changed the password while the check ran: the old one no longer counts.
        boolean current = hash != null && hash.equals(hashes.get(user));
        if (matched && current) {
            limiter.succeeded(address, user, attempt, at);
            Sessions.Session s = sessions.create(user, at);
            events.record(EventType.AUTH_LOGIN, s.actor(), address, user + " signed in to the dashboard from "
                    + address, Map.of("user", user, "address", address));
            ctx.response().addCookie(Sessions.cookie(s, ctx.request().isSSL()));
            Dashboard.redirect(ctx, 303, next);
            return;
        }
        boolean configured = hash != null;
        Map<String, String> data = new HashMap<>(data(user, configured, address));
        data.put("reason", configured ? "wrong password" : "unknown user");
        events.record(EventType.AUTH_LOGIN_FAILED, actor(user, configured), address, "failed sign-in "
                + (configured ? "as '" + user + "' from " + address + ": wrong password"
                : "with a user name that is not configured, from " + address), data);
        render(ctx, 401, "Wrong user name or password.", next, user);
    }

    private void tooMany(RoutingContext ctx, long seconds, String message, String next, String user) {
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        render(ctx, 429, message, next, user);
    }

    /** POST /logout (with the CSRF token). */
    void logout(RoutingContext ctx, Sessions.Session s) {
        sessions.end(s);
        String address = ctx.request().remoteAddress().hostAddress();
        events.record(EventType.AUTH_LOGOUT, s.actor(), address, s.user() + " signed out",
                Map.of("user", s.user(), "address", address));
        ctx.response().addCookie(Sessions.cleared(ctx.request().isSSL()));
        Dashboard.redirect(ctx, 303, "/login");
    }

    private void render(RoutingContext ctx, int status, String error, String next, String user) {
        String footer = hashes.isEmpty()
                ? "No dashboard users are configured: add admin.users to the config (see docs/config.md)."
                : "Sign-ins and failed attempts are recorded as events.";
        dashboard.html(ctx, status, dashboard.templates().page("login",
                new View(dashboard.nodeName(), dashboard.assets(), error, next, user, footer)));
    }

    /** Only a local path, so a crafted link cannot send the user elsewhere after signing in. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || next.length() > 512 || next.startsWith("/login") || next.startsWith("/stream")) {
            return "/";
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '\\') {
                return "/";
            }
        }
        return next;
    }

    /** The name as typed, bounded and without control characters (it goes into events and the page). */
    private static String clean(String user) {
        if (user == null) {
            return "";
        }
        String s = user.strip();
        if (s.length() > MAX_NAME) {
            s = s.substring(0, MAX_NAME);
        }
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** The actor of a sign-in event: the name when it is a configured user's, else a placeholder (see the class). */
    private static String actor(String user, boolean configured) {
        return configured ? user : UNKNOWN;
    }

    private static Map<String, String> data(String user, boolean configured, String address) {
        return configured ? Map.of("user", user, "address", address) : Map.of("address", address);
    }

    private static Map<String, String> hashes(List<AdminConfig.User> users) {
        Map<String, String> m = new HashMap<>();
        users.forEach(u -> m.put(u.name(), u.passwordHash()));
        return Map.copyOf(m);
    }
}
