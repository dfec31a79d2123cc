package org.fossinfra.web;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side dashboard sessions: the cookie holds only a random 256-bit id; the user, the CSRF token and the times
 * stay here. A session ends at logout, {@link #LIFETIME} after login, or after {@link #IDLE} without a request (an open
 * live view counts as activity: a wall screen stays signed in until the lifetime runs out).
 *
 * <p>Hazard: sessions live in memory, so a restart signs everyone out; and the map must stay bounded, hence the
 * per-user cap and the sweep.
 */
final class Sessions {
    static final String COOKIE = "foss_session";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(12);
    /** Each login makes a session; a user who logs in again and again evicts their own oldest ones past this. */
    static final int MAX_PER_USER = 20;

    private static final SecureRandom RANDOM = new SecureRandom();
    private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();

    /** One signed-in browser. */
    static final class Session {
        private final String id;
        private final String user;
        private final String csrf;
        private final long createdMillis;
        private volatile long lastSeenMillis;
        private volatile boolean ended;

        private Session(String id, String user, String csrf, long now) {
            this.id = id;
            this.user = user;
            this.csrf = csrf;
            this.createdMillis = now;
            this.lastSeenMillis = now;
        }

        String user() {
            return user;
        }

        /** The token every state-changing request must carry (form field {@code _csrf} or {@code X-CSRF-Token}). */
        String csrf() {
            return csrf;
        }

        /** The actor of every change made through this session. */
        String actor() {
            return "dashboard:" + user;
        }

        boolean valid(long now) {
            return !ended && now - createdMillis < LIFETIME.toMillis() && now - lastSeenMillis < IDLE.toMillis();
        }

        void touch(long now) {
            lastSeenMillis = now;
        }

        /** Constant-time: the comparison must not reveal how many leading characters of a guess are right. */
        boolean csrfMatches(String given) {
            return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    csrf.getBytes(StandardCharsets.UTF_8));
        }
    }

    Session create(String user, long now) {
        Session s = new Session(random(), user, random(), now);
        byId.put(s.id, s);
        var mine = byId.values().stream().filter(x -> x.user.equals(user)).toList();
        if (mine.size() > MAX_PER_USER) {
            mine.stream().sorted(Comparator.comparingLong(x -> x.createdMillis)).limit(mine.size() - MAX_PER_USER)
                    .forEach(this::end);
        }
        return s;
    }

    /** The live session with this cookie value, its idle clock reset; empty when unknown, ended or expired. */
    Optional<Session> find(String id, long now) {
        Session s = id == null ? null : byId.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (!s.valid(now)) {
            end(s);
            return Optional.empty();
        }
        s.touch(now);
        return Optional.of(s);
    }

    void end(Session s) {
        s.ended = true;
        byId.remove(s.id);
    }

    /** Ends every session of the users {@code gone} holds (removed from the config, or their password changed). */
    int endUsers(java.util.function.Predicate<String> gone) {
        int ended = 0;
        for (Session s : byId.values()) {
            if (gone.test(s.user)) {
                end(s);
                ended++;
            }
        }
        return ended;
    }

    /** Drops expired sessions; run once a minute. */
    void sweep(long now) {
        byId.values().removeIf(s -> {
            boolean gone = !s.valid(now);
            if (gone) {
                s.ended = true;
            }
            return gone;
        });
    }

    int size() {
        return byId.size();
    }

    /** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure over TLS. */
    static Cookie cookie(Session s, boolean tls) {
        return Cookie.cookie(COOKIE, s.id).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setSecure(tls);
    }

    /** A cookie that replaces and expires the session cookie in the browser. */
    static Cookie cleared(boolean tls) {
        return Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setSecure(tls).setMaxAge(0);
    }

    /** 256 random bits, URL-safe. */
    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
