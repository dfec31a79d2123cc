package org.fossinfra.balance;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016,
 * §3.4): a lookup table of prime size M maps {@code key mod M} to a server, so a client keeps its server while the set
 * of up servers stays the same, and a change moves little more than the keys of the server that changed.
 *
 * <p>Population, as in the paper's Pseudocode 1: each server has a permutation of the table positions,
 * {@code offset = h1(name) mod M}, {@code skip = h2(name) mod (M - 1) + 1}, {@code permutation[j] = (offset + j * skip)
 * mod M}, and servers take turns claiming the next free position of their own permutation until the table is full.
 * Weights follow Katran's {@code MaglevHashV2::generateHashRing}: each turn a server adds its weight to a credit and
 * claims a position only when the credit reaches the largest weight, which then comes off the credit; so a server's
 * share of the table is proportional to its weight. Servers are hashed by name and take turns in name order, so the
 * table depends on which servers are up and their weights, not on configuration order: a server that goes down and
 * comes back gets exactly its old positions back.
 *
 * <p>Lookup and fallback: {@code table[key mod M]} (key read as unsigned). If that server is full, avoided or no longer
 * eligible, the following table entries are probed in order, each distinct server tried once, until one takes the
 * request. Probing keeps the fallback deterministic per key, so a client's overflow lands on the same second choice.
 *
 * <p>Hazard: every up/down/weight change rebuilds the whole table on each event loop: O(M log M) expected with equal
 * weights (§3.4), up to O(M · N) turns when weights are very uneven, so a flapping server costs each loop a rebuild
 * per flap (about a millisecond for M = 65537). Memory is M chars per instance.
 */
final class Maglev extends GroupBalancer {

    /** Seeds for the two independent name hashes h1 (offset) and h2 (skip); any two distinct constants work. */
    private static final long OFFSET_SEED = 0x2545f4914f6cdd1dL;
    private static final long SKIP_SEED = 0x9e3779b97f4a7c15L;
    /** Marks a free position while populating; also caps a group at 65535 servers. */
    private static final char EMPTY = Character.MAX_VALUE;

    private final int size;
    /** The servers in rotation, sorted by name; table entries index this array. */
    private Server[] servers = new Server[0];
    private char[] table = new char[0];
    /** Scratch for the fallback probe: which servers were tried in this pick. */
    private boolean[] tried = new boolean[0];

    Maglev(Group group, int tableSize) {
        super(group);
        if (!isPrime(tableSize)) {
            throw new IllegalArgumentException("tableSize: " + tableSize + " (expected: a prime, e.g. 65537)");
        }
        if (tableSize < group.size()) {
            throw new IllegalArgumentException("tableSize: " + tableSize + " (expected: at least the " + group.size()
                    + " servers of the group, ideally 100 times more)");
        }
        if (group.size() >= EMPTY) {
            throw new IllegalArgumentException("servers: " + group.size() + " (expected: at most " + (EMPTY - 1) + ")");
        }
        this.size = tableSize;
        rebuild();
    }

    @Override
    public Pick pick(long key, Server avoid) {
        Server[] servers = this.servers;
        int n = servers.length;
        if (n == 0) {
            return Candidates.NONE_AVAILABLE;
        }
        int pos = (int) Long.remainderUnsigned(key, size);
        int first = table[pos];
        Server s = servers[first];
        if (Candidates.takes(s, avoid) && s.tryAcquire()) {
            return new Pick.Chosen(s);
        }
        // Fallback: linear probe from the key's position, each distinct server once.
        boolean[] tried = this.tried;
        Arrays.fill(tried, false);
        tried[first] = true;
        int triedCount = 1;
        for (int step = 1; step < size && triedCount < n; step++) {
            int at = pos + step < size ? pos + step : pos + step - size;
            int i = table[at];
            if (tried[i]) {
                continue;
            }
            tried[i] = true;
            triedCount++;
            s = servers[i];
            if (Candidates.takes(s, avoid) && s.tryAcquire()) {
                return new Pick.Chosen(s);
            }
        }
        return Candidates.lastResort(servers, avoid);
    }

    /** The server at each table position, for tests and the stats page; empty when no server is up. */
    Server[] table() {
        Server[] out = new Server[table.length];
        for (int i = 0; i < table.length; i++) {
            out[i] = servers[table[i]];
        }
        return out;
    }

    @Override
    void rebuild() {
        Server[] up = group.inRotation();
        int[] upWeights = group.weightsInRotation();
        Integer[] order = new Integer[up.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparing(i -> up[i].name()));
        Server[] sorted = new Server[up.length];
        int[] weights = new int[up.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = up[order[i]];
            weights[i] = upWeights[order[i]];
        }
        this.table = sorted.length == 0 ? new char[0] : populate(sorted, weights, size);
        this.servers = sorted;
        this.tried = new boolean[sorted.length];
    }

    /** Maglev §3.4 Pseudocode 1 with Katran MaglevHashV2's weighted turns. */
    static char[] populate(Server[] servers, int[] weights, int m) {
        int n = servers.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        int[] next = new int[n];
        int[] credit = new int[n];
        int maxWeight = 0;
        for (int i = 0; i < n; i++) {
            offset[i] = Long.remainderUnsigned(KeyHash.ofString(servers[i].name(), OFFSET_SEED), m);
            skip[i] = Long.remainderUnsigned(KeyHash.ofString(servers[i].name(), SKIP_SEED), m - 1) + 1;
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        char[] table = new char[m];
        Arrays.fill(table, EMPTY);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                credit[i] += weights[i];
                if (credit[i] < maxWeight) {
                    continue;
                }
                credit[i] -= maxWeight;
                // Walk this server's permutation to its next free position. skip and M are coprime (M is prime), so
                // the permutation covers every position and a free one is found before next[i] reaches M.
                int c;
                do {
                    c = (int) ((offset[i] + (long) next[i] * skip[i]) % m);
                    next[i]++;
                } while (table[c] != EMPTY);
                table[c] = (char) i;
                if (++filled == m) {
                    return table;
                }
            }
        }
    }

    static boolean isPrime(int m) {
        if (m < 2) {
            return false;
        }
        if (m % 2 == 0) {
            return m == 2;
        }
        for (int d = 3; (long) d * d <= m; d += 2) {
            if (m % d == 0) {
                return false;
            }
        }
        return true;
    }
}
