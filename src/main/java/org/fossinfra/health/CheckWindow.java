package org.fossinfra.health;

/**
 * The state rule of a service over its last {@code size} check results: UNHEALTHY when the last
 * {@code unhealthyAfter} all failed; otherwise DEGRADED when any of the last {@code size} failed or was slow;
 * otherwise HEALTHY. So a service recovers through DEGRADED: after a failure it needs {@code size} clean checks in a
 * row to be HEALTHY again, which keeps one flapping dependency from flooding the event log.
 *
 * <p>Pure and single-threaded: the monitor owning it calls it from its one Vert.x context.
 */
final class CheckWindow {
    /** How one check went. */
    enum Result { OK, SLOW, FAILED }

    private final Result[] ring;
    private final int unhealthyAfter;
    private int filled;
    private int next;
    private int consecutiveFailures;

    CheckWindow(int size, int unhealthyAfter) {
        if (size < 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: 1 or more)");
        }
        if (unhealthyAfter < 1 || unhealthyAfter > size) {
            throw new IllegalArgumentException("unhealthyAfter: " + unhealthyAfter + " (expected: 1.." + size + ")");
        }
        this.ring = new Result[size];
        this.unhealthyAfter = unhealthyAfter;
    }

    /** Adds the newest result and returns the state it leads to. */
    ServiceState add(Result r) {
        ring[next] = r;
        next = (next + 1) % ring.length;
        filled = Math.min(filled + 1, ring.length);
        consecutiveFailures = r == Result.FAILED ? consecutiveFailures + 1 : 0;
        return state();
    }

    ServiceState state() {
        if (filled == 0) {
            return ServiceState.UNKNOWN;
        }
        if (consecutiveFailures >= unhealthyAfter) {
            return ServiceState.UNHEALTHY;
        }
        return failed() + slow() > 0 ? ServiceState.DEGRADED : ServiceState.HEALTHY;
    }

    int failed() {
        return count(Result.FAILED);
    }

    int slow() {
        return count(Result.SLOW);
    }

    /** Results held, up to the window's size. */
    int filled() {
        return filled;
    }

    int size() {
        return ring.length;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    private int count(Result wanted) {
        int n = 0;
        for (int i = 0; i < filled; i++) {
            if (ring[i] == wanted) {
                n++;
            }
        }
        return n;
    }
}
