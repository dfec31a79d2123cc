package org.fossinfra.web;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Slows password guessing. Every attempt is counted as a failure <em>before</em> its password is checked
 * ({@link #admit}), and given back if it turns out right ({@link #succeeded}) or is never checked ({@link #cancelled}):
 * a burst of concurrent attempts cannot all pass the limit while their checks are still running.
 *
 * <p>Two limits. <b>Per address</b>: after {@link #MAX_FAILURES} failures within {@link #WINDOW_MILLIS} from one
 * client address, its further attempts are refused without a check until the oldest is a window old. <b>Per user</b>:
 * the same number of failures for one user name from as many <em>different</em> addresses locks the name, which stops
 * many clients each staying under their address's limit while guessing one password. Only an address's first failure
 * for a name in the window counts towards the name, so a flood from one address locks that address, not the user.
 *
 * <p>Hazard: the per-user limit lets anyone with five addresses lock a known user out, the usual price of stopping
 * distributed guessing. So it does not apply to an address the user signed in from successfully within
 * {@link #KNOWN_MILLIS} (still limited per address): a locked-out user can sign in from where they usually do.
 *
 * <p>Memory is bounded to {@link #MAX_KEYS} keys. Past it, the least recently failed key that is not locked out goes
 * (only when every key is locked, the oldest locked one): a flood of fresh keys, which each count a single failure,
 * cannot wipe a real attacker's lock-out. Methods are synchronized: sign-ins are rare, and a check-then-count that two
 * event loops interleave would let a burst through.
 */
final class LoginLimiter {
    static final int MAX_FAILURES = 5;
    static final long WINDOW_MILLIS = 60_000;
    static final int MAX_KEYS = 10_000;
    /** How long a successful sign-in makes its address exempt from its user's lock: a month of usual places. */
    static final long KNOWN_MILLIS = 30L * 24 * 3600 * 1000;

    /** The outcome of {@link #admit}: a check may run (and was counted), or the client must wait. */
    sealed interface Admission permits Allowed, Limited {
    }

    /** Counted as a failure at {@code at}; settle it with {@link #succeeded} or {@link #cancelled} if need be. */
    record Allowed(long at) implements Admission {
    }

    /** Refused for {@code retryAfterSeconds}; {@code firstNotice} once per lock-out, so a flood makes one event. */
    record Limited(long retryAfterSeconds, boolean firstNotice) implements Admission {
    }

    /** One counted failure: when, and from where (a user's failures keep one per address). */
    private record Failure(String address, long at) {
    }

    /** The last failures of one key, oldest first, at most {@link #MAX_FAILURES}. */
    private static final class Failures {
        final ArrayDeque<Failure> recent = new ArrayDeque<>(MAX_FAILURES);
        long lastLimitedNoticeMillis = Long.MIN_VALUE / 2;

        void add(Failure f) {
            if (recent.size() == MAX_FAILURES) {
                recent.removeFirst();
            }
            recent.addLast(f);
        }

        /** Millis until another attempt is allowed; 0 when allowed now. */
        long waitMillis(long now) {
            if (recent.size() < MAX_FAILURES) {
                return 0;
            }
            return Math.max(0, recent.peekFirst().at() + WINDOW_MILLIS - now);
        }

        boolean countsAddress(String address, long now) {
            for (Failure f : recent) {
                if (f.address().equals(address) && f.at() + WINDOW_MILLIS > now) {
                    return true;
                }
            }
            return false;
        }

        /** True once per lock-out, so that refused attempts make one event rather than a flood. */
        boolean firstNotice(long now) {
            if (now - lastLimitedNoticeMillis < WINDOW_MILLIS) {
                return false;
            }
            lastLimitedNoticeMillis = now;
            return true;
        }
    }

    /** Access order: the eldest entry is the least recently failed (or looked at) key. */
    private final LinkedHashMap<String, Failures> byKey = new LinkedHashMap<>(256, 0.75f, true);
    /** "address user" → when that user last signed in from that address; the eldest first, bounded likewise. */
    private final LinkedHashMap<String, Long> known = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_KEYS;
        }
    };

    /**
     * Whether an attempt by {@code user} from {@code address} may have its password checked now. When it may, it is
     * already counted as a failure of the address, and of the user unless this address has a failure for the user in
     * the window already.
     */
    synchronized Admission admit(String address, String user, long now) {
        Failures a = byKey.get(addressKey(address));
        Failures u = isKnown(address, user, now) ? null : byKey.get(userKey(user));
        long wait = Math.max(a == null ? 0 : a.waitMillis(now), u == null ? 0 : u.waitMillis(now));
        if (wait > 0) {
            boolean notice = a != null && a.waitMillis(now) > 0 && a.firstNotice(now);
            notice |= u != null && u.waitMillis(now) > 0 && u.firstNotice(now);
            return new Limited((wait + 999) / 1000, notice);
        }
        Failure f = new Failure(address, now);
        failures(addressKey(address), now).add(f);
        Failures forUser = failures(userKey(user), now);
        if (!forUser.countsAddress(address, now)) {
            forUser.add(f);
        }
        return new Allowed(now);
    }

    /**
     * The password was right: the attempt is given back to the address (one good account must not leave a scan's
     * count standing, nor add to it), the user's failures are cleared, and the address becomes known for the user.
     */
    synchronized void succeeded(String address, String user, Allowed attempt, long now) {
        refund(addressKey(address), address, attempt.at());
        byKey.remove(userKey(user));
        known.put(address + " " + user.toLowerCase(Locale.ROOT), now);
    }

    /** The attempt was never checked (the checker was busy): nothing was guessed, so nothing counts. */
    synchronized void cancelled(String address, String user, Allowed attempt) {
        refund(addressKey(address), address, attempt.at());
        refund(userKey(user), address, attempt.at());
    }

    synchronized int keys() {
        return byKey.size();
    }

    /** Whether {@code key} still has failures (for tests of the eviction order). */
    synchronized boolean remembers(String address) {
        return byKey.containsKey(addressKey(address));
    }

    private boolean isKnown(String address, String user, long now) {
        Long at = known.get(address + " " + user.toLowerCase(Locale.ROOT));
        return at != null && now - at < KNOWN_MILLIS;
    }

    private void refund(String key, String address, long at) {
        Failures f = byKey.get(key);
        if (f != null) {
            f.recent.removeIf(x -> x.at() == at && x.address().equals(address));
            if (f.recent.isEmpty()) {
                byKey.remove(key);
            }
        }
    }

    /** The failures of {@code key}, made (and room made for them) when new. */
    private Failures failures(String key, long now) {
        Failures f = byKey.get(key);
        if (f == null) {
            if (byKey.size() >= MAX_KEYS) {
                evictOne(now);
            }
            f = new Failures();
            byKey.put(key, f);
        }
        return f;
    }

    /** The least recently failed key that is not locked out; the eldest of all when every key is. */
    private void evictOne(long now) {
        Iterator<Failures> it = byKey.values().iterator();
        while (it.hasNext()) {
            if (it.next().waitMillis(now) == 0) {
                it.remove();
                return;
            }
        }
        it = byKey.values().iterator();
        it.next();
        it.remove();
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }

    private static String userKey(String user) {
        return "u:" + user.toLowerCase(Locale.ROOT);
    }
}
