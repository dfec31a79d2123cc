package org.fossinfra.balance;

/**
 * Plain round robin: each pick takes the next up server in configuration order, whatever its weight (HAProxy's
 * {@code static-rr} without weights).
 *
 * <p>Why: the cheapest fair rotation, and the predictable one (a b c a b c) that scripted tests and operators expect.
 * Servers that are full, avoided or no longer eligible are skipped and the rotation continues after the one chosen.
 *
 * <p>Hazard: weights only matter as 0 versus positive here; use {@link SmoothWeightedRoundRobin} for proportions.
 */
final class RoundRobin extends GroupBalancer {

    private Server[] up;
    /** Position in {@link #up} of the next server to try. */
    private int next;

    RoundRobin(Group group) {
        super(group);
        this.up = group.inRotation();
    }

    @Override
    public Pick pick(long key, Server avoid) {
        Server[] up = this.up;
        int n = up.length;
        if (next >= n) {
            next = 0;
        }
        for (int i = 0; i < n; i++) {
            int at = next + i < n ? next + i : next + i - n;
            Server s = up[at];
            if (Candidates.takes(s, avoid) && s.tryAcquire()) {
                next = at + 1 < n ? at + 1 : 0;
                return new Pick.Chosen(s);
            }
        }
        return Candidates.lastResort(up, avoid);
    }

    @Override
    public void skip(int picks) {
        if (up.length > 0) {
            next = Math.floorMod(next + picks, up.length);
        }
    }

    @Override
    void rebuild() {
        // Keep the rotation going from the server that was next, or from the one after it in config order if that one
        // just left, so that a change does not send a burst to the first server.
        Server wasNext = up.length == 0 ? null : up[next < up.length ? next : 0];
        up = group.inRotation();
        next = 0;
        if (wasNext != null) {
            int from = group.indexOf(wasNext);
            for (int i = 0; i < up.length; i++) {
                if (group.indexOf(up[i]) >= from) {
                    next = i;
                    break;
                }
            }
        }
    }
}
