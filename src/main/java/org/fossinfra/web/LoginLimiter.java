package org.fossinfra.web;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} failed logins within {@link #WINDOW_MILLIS}, from one client
 * address or for one user name, further attempts are refused without checking the password until the oldest of those
 * failures is a window old. Per address stops one client trying many names; per user stops many clients trying one.
 *
 * <p>Hazard: the per-user limit lets anyone lock a known user out for a minute at a time, the usual price of
 * stopping distributed guessing. Memory is bounded: past {@link #MAX_KEYS} keys the stale ones are dropped and, if
 * that is not enough, all (a flood of fresh keys is itself reason to forget).
 */
final class LoginLimiter {
    static final int MAX_FAILURES = 5;
    static final long WINDOW_MILLIS = 60_000;
    static final int MAX_KEYS = 10_000;

    private final ConcurrentHashMap<String, Failures> byKey = new ConcurrentHashMap<>();

    /** The last failures of one key, a ring of their times. */
    private static final class Failures {
        final long[] times = new long[MAX_FAILURES];
        int count;
        long lastLimitedNoticeMillis = Long.MIN_VALUE / 2;

        synchronized void add(long now) {
            times[count % MAX_FAILURES] = now;
            count++;
        }

        /** Millis until another attempt is allowed; 0 when allowed now. */
        synchronized long waitMillis(long now) {
            if (count < MAX_FAILURES) {
                return 0;
            }
            long oldest = times[count % MAX_FAILURES]; // the oldest of the last MAX_FAILURES
            return Math.max(0, oldest + WINDOW_MILLIS - now);
        }

        synchronized boolean stale(long now) {
            return count == 0 || times[(count - 1) % MAX_FAILURES] + WINDOW_MILLIS <= now;
        }

        /** True once per lock-out, so that refused attempts make one event rather than a flood. */
        synchronized boolean firstNotice(long now) {
            if (now - lastLimitedNoticeMillis < WINDOW_MILLIS) {
                return false;
            }
            lastLimitedNoticeMillis = now;
            return true;
        }
    }

    /** Seconds (rounded up) the client must wait before trying again; 0 when it may try now. */
    long retryAfterSeconds(String address, String user, long now) {
        long millis = Math.max(wait(addressKey(address), now), wait(userKey(user), now));
        return (millis + 999) / 1000;
    }

    /** Whether this refused attempt should be recorded: the first refusal of a lock-out is, the following are not. */
    boolean shouldRecordRefusal(String address, String user, long now) {
        Failures a = byKey.get(addressKey(address));
        Failures u = byKey.get(userKey(user));
        boolean first = a != null && a.waitMillis(now) > 0 && a.firstNotice(now);
        return (u != null && u.waitMillis(now) > 0 && u.firstNotice(now)) || first;
    }

    void recordFailure(String address, String user, long now) {
        if (byKey.size() >= MAX_KEYS) {
            byKey.values().removeIf(f -> f.stale(now));
            if (byKey.size() >= MAX_KEYS) {
                byKey.clear();
            }
        }
        byKey.computeIfAbsent(addressKey(address), k -> new Failures()).add(now);
        byKey.computeIfAbsent(userKey(user), k -> new Failures()).add(now);
    }

    /** A successful login clears its user's failures (not its address's: one good account must not reset a scan). */
    void recordSuccess(String user) {
        byKey.remove(userKey(user));
    }

    private long wait(String key, long now) {
        Failures f = byKey.get(key);
        return f == null ? 0 : f.waitMillis(now);
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }

    private static String userKey(String user) {
        return "u:" + user.toLowerCase(java.util.Locale.ROOT);
    }
}
