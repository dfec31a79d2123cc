package org.fossinfra.balance;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * nginx's smooth weighted round robin ({@code ngx_http_upstream_get_peer}, from the 2012 nginx commit "Upstream:
 * smooth weighted round-robin balancing"): on each pick every candidate's current weight grows by its weight, the
 * candidate with the largest current weight wins (the first in configuration order on a tie) and its current weight
 * drops by the total of the round.
 *
 * <p>Why: the proportions are exact over every cycle of {@code sum(weights)} picks, like HAProxy's {@code lb_fwrr},
 * and the heavy server's turns are spread out instead of bunched: weights {5, 1, 1} give {@code a a b a c a a}, not
 * {@code a a a a a b c}. Like nginx, a server that is full (or avoided) sits the round out instead of being charged
 * for it.
 *
 * <p>Hazard: current weights survive up/down and weight changes of other servers, as in nginx, so the sequence right
 * after a change is not the textbook one; the proportions recover within one cycle.
 */
final class SmoothWeightedRoundRobin extends GroupBalancer {

    private Server[] up;
    private int[] weights;
    private long[] current;
    /** Scratch: who took part in this round. Single-threaded, so reused to keep picks allocation-free. */
    private boolean[] inRound;

    SmoothWeightedRoundRobin(Group group) {
        super(group);
        this.up = group.inRotation();
        this.weights = group.weightsInRotation();
        this.current = new long[up.length];
        this.inRound = new boolean[up.length];
    }

    @Override
    public Pick pick(long key, Server avoid) {
        Server[] up = this.up;
        int n = up.length;
        boolean[] lost = null;
        while (true) {
            // Choose without mutating: every participant gains its weight, so the winner is the largest
            // current + weight.
            int best = -1;
            long bestScore = 0;
            long total = 0;
            for (int i = 0; i < n; i++) {
                boolean takes = (lost == null || !lost[i]) && Candidates.takes(up[i], avoid);
                inRound[i] = takes;
                if (takes) {
                    long score = current[i] + weights[i];
                    total += weights[i];
                    if (best < 0 || score > bestScore) {
                        best = i;
                        bestScore = score;
                    }
                }
            }
            if (best < 0) {
                return Candidates.lastResort(up, avoid);
            }
            if (up[best].tryAcquire()) {
                // Commit the round.
                for (int i = 0; i < n; i++) {
                    if (inRound[i]) {
                        current[i] += weights[i];
                    }
                }
                current[best] -= total;
                return new Pick.Chosen(up[best]);
            }
            // Another event loop took the last slot between isFull() and tryAcquire(): rerun the round without it.
            if (lost == null) {
                lost = new boolean[n];
            }
            lost[best] = true;
        }
    }

    @Override
    public void skip(int picks) {
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int p = 0; p < picks && up.length > 0; p++) {
            int best = 0;
            for (int i = 0; i < up.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
        }
    }

    @Override
    void rebuild() {
        Map<Server, Long> kept = new IdentityHashMap<>();
        for (int i = 0; i < up.length; i++) {
            kept.put(up[i], current[i]);
        }
        up = group.inRotation();
        weights = group.weightsInRotation();
        current = new long[up.length];
        inRound = new boolean[up.length];
        for (int i = 0; i < up.length; i++) {
            current[i] = kept.getOrDefault(up[i], 0L);
        }
    }
}
