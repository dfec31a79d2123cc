package org.fossinfra.balance;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The power of two random choices (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS
 * 12(10), 2001): draw two distinct up servers at random, each with probability proportional to its weight, and take
 * the one with the lower {@code active / weight}; on equal load the first drawn wins, which keeps the split
 * proportional to weight while servers are idle.
 *
 * <p>Why: nearly the balance of least connections (the most loaded server is only O(log log n) above average instead
 * of O(log n / log log n) for one choice) without scanning every server, and without the herd that least connections
 * causes when many event loops see the same idle server at once: each loop draws independently (nginx's
 * {@code random two least_conn}).
 *
 * <p>Hazard: if one draw cannot take the request (full, avoided or no longer eligible) the other is used; if neither
 * can, the pick falls back to an O(n) scan for the least loaded server, starting at a random position. With one up
 * server there is nothing to draw and the scan is the pick.
 */
final class RandomTwoChoices extends GroupBalancer {

    private final RandomGenerator random;
    private Server[] up;
    private int[] weights;
    /** cumulative[i] = weights[0] + ... + weights[i]; a draw is a binary search for a uniform r in [0, total). */
    private long[] cumulative;

    RandomTwoChoices(Group group, RandomGenerator random) {
        super(group);
        this.random = Objects.requireNonNull(random, "random");
        rebuild();
    }

    @Override
    public Pick pick(long key, Server avoid) {
        Server[] up = this.up;
        int n = up.length;
        if (n >= 2) {
            int a = draw(random.nextLong(cumulative[n - 1]));
            // Second draw among the others: shift r past a's slice of [0, total).
            long r = random.nextLong(cumulative[n - 1] - weights[a]);
            if (r >= cumulative[a] - weights[a]) {
                r += weights[a];
            }
            int b = draw(r);
            Server sa = up[a];
            Server sb = up[b];
            Server first = null;
            Server second = null;
            if (Candidates.takes(sa, avoid)) {
                first = sa;
            }
            if (Candidates.takes(sb, avoid)) {
                // Strictly lighter only: on equal load the first drawn stays first.
                if (first == null || Candidates.lighter(sb.active(), weights[b], sa.active(), weights[a])) {
                    second = first;
                    first = sb;
                } else {
                    second = sb;
                }
            }
            if (first != null && first.tryAcquire()) {
                return new Pick.Chosen(first);
            }
            if (second != null && second.tryAcquire()) {
                return new Pick.Chosen(second);
            }
        }
        return leastLoaded(up, avoid);
    }

    /** Fallback: the least loaded server that takes the request, scanning from a random start. */
    private Pick leastLoaded(Server[] up, Server avoid) {
        int n = up.length;
        if (n == 0) {
            return Candidates.NONE_AVAILABLE;
        }
        int start = n == 1 ? 0 : random.nextInt(n);
        boolean[] lost = null;
        while (true) {
            int best = -1;
            int bestActive = 0;
            for (int k = 0; k < n; k++) {
                int i = start + k < n ? start + k : start + k - n;
                if ((lost != null && lost[i]) || !Candidates.takes(up[i], avoid)) {
                    continue;
                }
                int active = up[i].active();
                if (best < 0 || Candidates.lighter(active, weights[i], bestActive, weights[best])) {
                    best = i;
                    bestActive = active;
                }
            }
            if (best < 0) {
                return Candidates.lastResort(up, avoid);
            }
            if (up[best].tryAcquire()) {
                return new Pick.Chosen(up[best]);
            }
            if (lost == null) {
                lost = new boolean[n];
            }
            lost[best] = true;
        }
    }

    /** The index whose slice of [0, total) holds {@code r}: the first i with cumulative[i] > r. */
    private int draw(long r) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    void rebuild() {
        up = group.inRotation();
        weights = group.weightsInRotation();
        cumulative = new long[up.length];
        long sum = 0;
        for (int i = 0; i < up.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
    }
}
