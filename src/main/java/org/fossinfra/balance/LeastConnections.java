package org.fossinfra.balance;

/**
 * Weighted least connections: each pick takes the up server with the lowest {@code active / weight}, where
 * {@code active} is the shared in-flight count of {@link Server#active()}, so the load from every event loop counts.
 * Ties go round robin, as in HAProxy's {@code lb_fwlc}, which requeues a server behind its equals: the scan starts
 * after the server chosen last and keeps the first of the lowest.
 *
 * <p>Why: for long or uneven requests (uploads, websockets, slow queries) the number in flight is a better measure of
 * load than the number sent. Loads are compared without division, {@code active_a * weight_b < active_b * weight_a}.
 *
 * <p>Hazard: the counts only mean something if every {@link Pick.Chosen} is released; a count that never goes down
 * (the seed's bug) starves the server for good. HAProxy ranks a busy server by {@code (inflight + 1) / weight} and all
 * idle ones as equal; this agrees on idle servers (they take turns) and differs between busy servers of unequal weight,
 * where HAProxy's {@code + 1} leans towards the heavier one.
 */
final class LeastConnections extends GroupBalancer {

    private Server[] up;
    private int[] weights;
    /** Where the next scan starts: just after the server chosen last. */
    private int next;

    LeastConnections(Group group) {
        super(group);
        rebuild();
    }

    @Override
    public Pick pick(long key, Server avoid) {
        Server[] up = this.up;
        int n = up.length;
        if (next >= n) {
            next = 0;
        }
        boolean[] lost = null;
        while (true) {
            int best = -1;
            int bestActive = 0;
            for (int k = 0; k < n; k++) {
                int i = next + k < n ? next + k : next + k - n;
                Server s = up[i];
                if ((lost != null && lost[i]) || !Candidates.takes(s, avoid)) {
                    continue;
                }
                int active = s.active();
                // Strictly lighter only: among equals the first from the cursor wins, which makes ties rotate.
                if (best < 0 || Candidates.lighter(active, weights[i], bestActive, weights[best])) {
                    best = i;
                    bestActive = active;
                }
            }
            if (best < 0) {
                return Candidates.lastResort(up, avoid);
            }
            if (up[best].tryAcquire()) {
                next = best + 1 < n ? best + 1 : 0;
                return new Pick.Chosen(up[best]);
            }
            // Another event loop took the last slot between isFull() and tryAcquire(): rescan without it.
            if (lost == null) {
                lost = new boolean[n];
            }
            lost[best] = true;
        }
    }

    @Override
    void rebuild() {
        up = group.inRotation();
        weights = group.weightsInRotation();
    }
}
