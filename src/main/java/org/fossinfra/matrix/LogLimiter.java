package org.fossinfra.matrix;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * One log line per kind of failure per period, with the number of repeats left out: a homeserver that is away for an
 * hour costs a line a minute, not one per retry.
 */
final class LogLimiter {
    private record Seen(long lastMillis, int suppressed) {
    }

    private final Logger log;
    private final long periodMillis;
    private final Map<String, Seen> seen = new HashMap<>();

    LogLimiter(Logger log, long periodMillis) {
        this.log = log;
        this.periodMillis = periodMillis;
    }

    /** Logs {@code message} at WARN unless a line of the same {@code kind} went out less than a period ago. */
    synchronized void warn(String kind, String message) {
        long now = System.currentTimeMillis();
        Seen s = seen.get(kind);
        if (s != null && now - s.lastMillis() < periodMillis) {
            seen.put(kind, new Seen(s.lastMillis(), s.suppressed() + 1));
            return;
        }
        int repeats = s == null ? 0 : s.suppressed();
        seen.put(kind, new Seen(now, 0));
        log.warn("matrix: {}{}", message, repeats == 0 ? "" : " (" + repeats + " more like it since the last line)");
    }

    /** Forgets {@code kind}, so that its next failure is logged at once (after a recovery). */
    synchronized void clear(String kind) {
        seen.remove(kind);
    }
}
