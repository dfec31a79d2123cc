package org.fossinfra.web;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fossinfra.config.AdminConfig;
import org.fossinfra.config.Passwords;
import org.fossinfra.events.EventLog;
import org.fossinfra.events.EventType;

/**
 * Sign-in and sign-out (login.jte). Passwords are checked against the bcrypt hashes of {@code admin.users} on a worker
 * thread (a check takes a quarter of a second by design); an unknown user name costs the same time as a wrong
 * password. Every failure is an {@code auth.login.failed} event and counts towards {@link LoginLimiter}; refusals by
 * the limit answer 429 without checking anything.
 */
final class LoginPage {
    /** Longest user name kept from a form: more is an attack, not a typo, and events must stay readable. */
    static final int MAX_NAME = 64;

    /** Everything login.jte shows. */
    record View(String node, Assets assets, String error, String next, String user, String footer) {
    }

    private final Dashboard dashboard;
    private final Vertx vertx;
    private final Sessions sessions;
    private final LoginLimiter limiter;
    private final EventLog events;
    private final Map<String, String> hashes = new HashMap<>();

    LoginPage(Dashboard dashboard, Vertx vertx, Sessions sessions, LoginLimiter limiter, EventLog events,
              List<AdminConfig.User> users) {
        this.dashboard = dashboard;
        this.vertx = vertx;
        this.sessions = sessions;
        this.limiter = limiter;
        this.events = events;
        users.forEach(u -> hashes.put(u.name(), u.passwordHash()));
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
        long now = System.currentTimeMillis();
        long wait = limiter.retryAfterSeconds(address, user, now);
        if (wait > 0) {
            if (limiter.shouldRecordRefusal(address, user, now)) {
                events.record(EventType.AUTH_LOGIN_LIMITED, actor(user), address, "sign-ins as '" + user + "' from "
                        + address + " refused for " + wait + " s after " + LoginLimiter.MAX_FAILURES
                        + " failures within a minute", Map.of("user", user, "address", address));
            }
            ctx.response().putHeader("Retry-After", Long.toString(wait));
            render(ctx, 429, "Too many failed sign-ins. Try again in " + wait + " s.", next, user);
            return;
        }
        String hash = hashes.get(user);
        String given = password == null ? "" : password;
        vertx.executeBlocking(() -> Passwords.matches(given, hash), false).onComplete(ar -> {
            long at = System.currentTimeMillis();
            if (ar.succeeded() && ar.result()) {
                limiter.recordSuccess(user);
                Sessions.Session s = sessions.create(user, at);
                events.record(EventType.AUTH_LOGIN, s.actor(), address, user + " signed in to the dashboard from "
                        + address, Map.of("user", user, "address", address));
                ctx.response().addCookie(Sessions.cookie(s, ctx.request().isSSL()));
                Dashboard.redirect(ctx, 303, next);
                return;
            }
            limiter.recordFailure(address, user, at);
            events.record(EventType.AUTH_LOGIN_FAILED, actor(user), address, "failed sign-in as '" + user + "' from "
                            + address + ": " + (hash == null ? "no such user" : "wrong password"),
                    Map.of("user", user, "address", address, "reason", hash == null ? "unknown user" : "wrong password"));
            render(ctx, 401, "Wrong user name or password.", next, user);
        });
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

    private static String actor(String user) {
        return user.isEmpty() ? "(no name)" : user;
    }
}
