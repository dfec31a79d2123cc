package org.fossinfra.balance;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one balancer has been told about its servers: which are up and at what weight. Not thread-safe.
 *
 * <p>Why a separate object: the {@link LoadBalancer} resynchronises by comparing each server's live state against
 * exactly this record, the one the algorithm holds, rather than against a copy of its own. A copy could drift from the
 * algorithm's view when a server flaps twice between two picks, and the loop would then never send it traffic again.
 *
 * <p>A server is <em>in</em> the rotation when it was last told up and its recorded weight is above 0. Hazard: callers
 * must rebuild their derived structures whenever a {@code mark*} method returns true.
 */
final class Group {

    private final Server[] servers;
    private final Map<Server, Integer> index = new IdentityHashMap<>();
    private final boolean[] up;
    private final int[] weights;

    /** Starts with the servers that are {@link Server#eligible()} now as up. */
    Group(List<Server> servers) {
        Objects.requireNonNull(servers, "servers");
        this.servers = servers.toArray(new Server[0]);
        this.up = new boolean[this.servers.length];
        this.weights = new int[this.servers.length];
        for (int i = 0; i < this.servers.length; i++) {
            Server s = Objects.requireNonNull(this.servers[i], "servers[" + i + "]");
            if (index.put(s, i) != null) {
                throw new IllegalArgumentException("servers: '" + s.name() + "' appears twice (expected: distinct)");
            }
            // Weight first, then the rest of eligibility: weight 0 leaves the server out through inRotation().
            weights[i] = s.weight();
            up[i] = s.healthy() && s.adminState() == AdminState.READY;
        }
    }

    int size() {
        return servers.length;
    }

    Server server(int i) {
        return servers[i];
    }

    boolean contains(Server s) {
        return index.containsKey(s);
    }

    boolean inRotation(int i) {
        return up[i] && weights[i] > 0;
    }

    int weight(int i) {
        return weights[i];
    }

    int indexOf(Server s) {
        Integer i = index.get(Objects.requireNonNull(s, "server"));
        if (i == null) {
            throw new IllegalArgumentException("server: '" + s.name() + "' (expected: one of this balancer's servers)");
        }
        return i;
    }

    /** Records {@code s} as up at its current weight; true if the rotation changed. */
    boolean markUp(Server s) {
        return record(indexOf(s), true, s.weight());
    }

    /** Records {@code s} as down; true if the rotation changed. */
    boolean markDown(Server s) {
        return record(indexOf(s), false, s.weight());
    }

    /** Records the current weight of {@code s}; true if the rotation changed (only when {@code s} is up). */
    boolean updateWeight(Server s) {
        int i = indexOf(s);
        return record(i, up[i], s.weight());
    }

    /** The servers in rotation, in the order given at creation. */
    Server[] inRotation() {
        Server[] out = new Server[countInRotation()];
        for (int i = 0, k = 0; i < servers.length; i++) {
            if (inRotation(i)) {
                out[k++] = servers[i];
            }
        }
        return out;
    }

    /** The recorded weights of {@link #inRotation()}, index for index. */
    int[] weightsInRotation() {
        int[] out = new int[countInRotation()];
        for (int i = 0, k = 0; i < servers.length; i++) {
            if (inRotation(i)) {
                out[k++] = weights[i];
            }
        }
        return out;
    }

    private boolean record(int i, boolean nowUp, int weight) {
        boolean before = inRotation(i);
        int weightBefore = weights[i];
        up[i] = nowUp;
        weights[i] = weight;
        boolean after = inRotation(i);
        return before != after || (after && weightBefore != weight);
    }

    private int countInRotation() {
        int n = 0;
        for (int i = 0; i < servers.length; i++) {
            if (inRotation(i)) {
                n++;
            }
        }
        return n;
    }
}
