package org.fossinfra.balance;

import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One balancing algorithm over one group of servers (a backend's primaries, or its backups).
 *
 * <p>An algorithm keeps its own state (rotation cursor, current weights, lookup table) and is told about changes
 * through {@link #onUp}, {@link #onDown} and {@link #onWeightChange}, as HAProxy's {@code set_server_status_up/down}
 * and {@code update_server_eweight} tell its {@code lb_*} modules. It starts with the servers that are
 * {@link Server#eligible()} when it is created.
 *
 * <p>Hazard: not thread-safe. Each event loop owns its own instance, normally inside a {@link LoadBalancer}, which
 * also delivers the change notifications; a balancer used on its own must be told about changes by its owner.
 */
public interface Balancer {

    /**
     * Maglev lookup table size when none is given: 65537, the smallest prime above 2<sup>16</sup> and Katran's default
     * ring size. Maglev §3.4 chooses M larger than 100 · N to keep every server's share of the table within 1% of the
     * others, so this covers up to 655 servers per group. Cost: 128 KiB (a char per entry) per table per event loop,
     * and O(M) work per rebuild.
     */
    int DEFAULT_MAGLEV_TABLE_SIZE = 65537;

    /**
     * Chooses a server and takes a slot on it.
     *
     * @param key hash of the client address ({@link KeyHash#ofAddress(byte[])}); only source hashing reads it
     * @param avoid a server to skip if any other can take the request (the one a failed connect just went to), or null
     * @return {@link Pick.Chosen} with the slot acquired, {@link Pick.AllBusy} if every eligible server is full, or
     *     {@link Pick.NoneAvailable} if none is eligible
     */
    Pick pick(long key, Server avoid);

    /** {@code server} became eligible (or its weight went from 0 to positive). */
    void onUp(Server server);

    /** {@code server} stopped being eligible: down, drained, in maintenance or at weight 0. */
    void onDown(Server server);

    /** The weight of {@code server} changed while it stayed eligible. */
    void onWeightChange(Server server);

    /**
     * Moves a rotation on by {@code picks} turns without taking any slot. Each event loop has its own balancer; a loop
     * starting {@code loopIndex} turns on keeps the loops from all sending their first request to the same server.
     * Algorithms without a rotation ignore it.
     */
    default void skip(int picks) {
    }

    /** Plain rotation over the up servers, ignoring weights (weight 0 servers are not up). */
    static Balancer roundRobin(List<Server> servers) {
        return new RoundRobin(new Group(servers));
    }

    /** nginx's smooth weighted round robin. */
    static Balancer weightedRoundRobin(List<Server> servers) {
        return new SmoothWeightedRoundRobin(new Group(servers));
    }

    /** Weighted least connections, ties in rotation. */
    static Balancer leastConnections(List<Server> servers) {
        return new LeastConnections(new Group(servers));
    }

    /**
     * Weighted Maglev consistent hashing of {@code key}.
     *
     * @param tableSize a prime, at least the number of servers; see {@link #DEFAULT_MAGLEV_TABLE_SIZE}
     */
    static Balancer maglev(List<Server> servers, int tableSize) {
        return new Maglev(new Group(servers), tableSize);
    }

    /** Power of two random choices, drawing by weight and keeping the less loaded of the two. */
    static Balancer randomTwoChoices(List<Server> servers, RandomGenerator random) {
        return new RandomTwoChoices(new Group(servers), random);
    }

    /** The balancer for {@code algorithm}; {@link Algorithm#RANDOM} gets its own unshared generator. */
    static Balancer create(Algorithm algorithm, List<Server> servers) {
        return Balancers.create(algorithm, new Group(servers), new SplittableRandom());
    }
}
