package org.fossinfra.proxy;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per failed request, naming frontend, backend and server, never a stack trace; at most
 * {@value #LINES_PER_SECOND} lines a second so that a flood of bad requests can't flood the log (the excess is
 * counted and reported once the flood passes).
 */
final class ProxyLog {
    private static final Logger log = LoggerFactory.getLogger("proxy");
    private static final int LINES_PER_SECOND = 50;
    private static final AtomicLong window = new AtomicLong();
    private static final AtomicLong linesInWindow = new AtomicLong();
    private static final AtomicLong suppressed = new AtomicLong();

    private ProxyLog() {
    }

    static void failure(String frontend, String backend, String server, String client, int status, String why) {
        long second = System.nanoTime() / 1_000_000_000L;
        long w = window.get();
        if (w != second && window.compareAndSet(w, second)) {
            linesInWindow.set(0);
            long s = suppressed.getAndSet(0);
            if (s > 0) {
                log.warn("{} more failed requests were not logged (more than {} a second)", s, LINES_PER_SECOND);
            }
        }
        if (linesInWindow.incrementAndGet() > LINES_PER_SECOND) {
            suppressed.incrementAndGet();
            return;
        }
        log.warn("{}/{}/{} client {}: {}: {}", frontend, backend == null ? "-" : backend,
                server == null ? "-" : server, client,
                status == 0 ? "aborted" : status + " " + ErrorResponses.reason(status), why);
    }

    static void info(String msg, Object... args) {
        log.info(msg, args);
    }
}
