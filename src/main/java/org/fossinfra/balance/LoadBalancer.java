package org.fossinfra.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The per-event-loop entry point for one backend: one {@link Balancer} over the primaries and one over the backups,
 * kept in step with the shared {@link ServerSet}.
 *
 * <p>Why lazy resync: the control plane changes servers from other threads, and the data plane must not take a lock
 * per request. Each pick compares the set's version with the one it last saw; when it moved, this loop walks the
 * servers on its own thread and tells its balancers what changed ({@code onUp}, {@code onDown},
 * {@code onWeightChange}), comparing against what each balancer was last told. Between a change and the next pick a
 * balancer can lag, so every candidate is also checked live ({@link Server#eligible()}, {@link Server#isFull()})
 * before its slot is taken.
 *
 * <p>Backups take traffic only when no primary is eligible, as HAProxy's {@code backup} servers (with
 * {@code option allbackups}: they are balanced among themselves). Primaries that are all full give
 * {@link Pick.AllBusy}, never a spill to the backups.
 *
 * <p>Hazard: not thread-safe; one instance per event loop per backend, used only from that loop.
 */
public final class LoadBalancer {

    private final Algorithm algorithm;
    private final ServerSet set;
    private final Server[] servers;
    /** For servers[i]: its group (primaries or backups), its balancer, and its index in the group. */
    private final Group[] groupOf;
    private final Balancer[] balancerOf;
    private final int[] indexInGroup;
    private final Balancer primaries;
    private final Balancer backups;
    private final boolean hasBackups;
    private long seenVersion;

    private LoadBalancer(Algorithm algorithm, ServerSet set, RandomGenerator random) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.set = Objects.requireNonNull(set, "set");
        Objects.requireNonNull(random, "random");
        // Version first: a change racing with the snapshots below bumps it again and is caught on the first pick.
        this.seenVersion = set.version();
        List<Server> primaryList = new ArrayList<>();
        List<Server> backupList = new ArrayList<>();
        for (Server s : set.servers()) {
            (s.backup() ? backupList : primaryList).add(s);
        }
        Group primaryGroup = new Group(primaryList);
        Group backupGroup = new Group(backupList);
        this.primaries = Balancers.create(algorithm, primaryGroup, random);
        this.backups = Balancers.create(algorithm, backupGroup, random);
        this.hasBackups = !backupList.isEmpty();
        this.servers = set.servers().toArray(new Server[0]);
        this.groupOf = new Group[servers.length];
        this.balancerOf = new Balancer[servers.length];
        this.indexInGroup = new int[servers.length];
        for (int i = 0; i < servers.length; i++) {
            boolean backup = servers[i].backup();
            groupOf[i] = backup ? backupGroup : primaryGroup;
            balancerOf[i] = backup ? backups : primaries;
            indexInGroup[i] = groupOf[i].indexOf(servers[i]);
        }
    }

    /** A load balancer for one event loop; {@link Algorithm#RANDOM} gets its own unshared generator. */
    public static LoadBalancer create(Algorithm algorithm, ServerSet set) {
        return new LoadBalancer(algorithm, set, new SplittableRandom());
    }

    /**
     * A load balancer for one event loop, with the generator that {@link Algorithm#RANDOM} draws from (seeded in
     * tests). The generator must not be shared with another thread.
     */
    public static LoadBalancer create(Algorithm algorithm, ServerSet set, RandomGenerator random) {
        return new LoadBalancer(algorithm, set, random);
    }

    /**
     * The load balancer of event loop number {@code loopIndex}: its rotations start {@code loopIndex} turns on (see
     * {@link Balancer#skip(int)}), so that two loops don't both begin with the first server.
     */
    public static LoadBalancer forLoop(Algorithm algorithm, ServerSet set, int loopIndex) {
        LoadBalancer lb = new LoadBalancer(algorithm, set, new SplittableRandom());
        lb.primaries.skip(loopIndex);
        lb.backups.skip(loopIndex);
        return lb;
    }

    /**
     * Chooses a server for one request and takes a slot on it.
     *
     * @param key hash of the client address ({@link KeyHash#ofAddress(byte[])}); read only by {@link Algorithm#SOURCE}
     * @param avoid a server to skip if any other can take the request (redispatch after a failed connect), or null
     * @return {@link Pick.Chosen}, whose server the caller must {@link Server#release()} exactly once;
     *     {@link Pick.AllBusy} to queue; {@link Pick.NoneAvailable} to answer 503
     */
    public Pick pick(long key, Server avoid) {
        long version = set.version();
        if (version != seenVersion) {
            resync(version);
        }
        Pick pick = primaries.pick(key, avoid);
        if (hasBackups && pick instanceof Pick.NoneAvailable) {
            // No primary is eligible (not merely busy): the backups' turn.
            pick = backups.pick(key, avoid);
        }
        return pick;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public ServerSet serverSet() {
        return set;
    }

    /**
     * Brings both balancers in line with the servers' live state. {@code version} was read before any state, so a
     * change made during this walk leaves the set's version ahead of {@link #seenVersion} and is caught next pick.
     */
    private void resync(long version) {
        seenVersion = version;
        for (int i = 0; i < servers.length; i++) {
            Server s = servers[i];
            Group group = groupOf[i];
            int g = indexInGroup[i];
            // Weight read once, so eligibility and the weight compared are the same sample.
            int weight = s.weight();
            boolean eligible = weight > 0 && s.healthy() && s.adminState() == AdminState.READY;
            boolean told = group.inRotation(g);
            if (eligible && !told) {
                balancerOf[i].onUp(s);
            } else if (!eligible && told) {
                balancerOf[i].onDown(s);
            } else if (eligible && weight != group.weight(g)) {
                balancerOf[i].onWeightChange(s);
            }
        }
    }

    @Override
    public String toString() {
        return "LoadBalancer[" + set.backend() + ", " + algorithm.configName() + "]";
    }
}
