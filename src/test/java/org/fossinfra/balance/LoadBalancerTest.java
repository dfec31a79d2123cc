package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fossinfra.balance.TestServers.backup;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.pickName;
import static org.fossinfra.balance.TestServers.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LoadBalancerTest {

    private static final long[] KEYS = new SplittableRandom(21).longs(1_000).toArray();

    private static Set<String> namesPicked(LoadBalancer lb) {
        Set<String> names = new HashSet<>();
        for (long key : KEYS) {
            names.add(pickName(lb.pick(key, null)));
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void backupsServeOnlyWhileEveryPrimaryIsDown(Algorithm algorithm) {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerSet set = ServerSet.of(a, b, backup("x"), backup("y"));
        LoadBalancer lb = LoadBalancer.create(algorithm, set, new SplittableRandom(1));
        assertThat(namesPicked(lb)).containsExactlyInAnyOrder("a", "b");
        a.setHealthy(false);
        assertThat(namesPicked(lb)).containsExactly("b");
        b.setAdminState(AdminState.MAINT);
        assertThat(namesPicked(lb)).containsExactlyInAnyOrder("x", "y");
        // A primary coming back takes the traffic back at once.
        a.setHealthy(true);
        assertThat(namesPicked(lb)).containsExactly("a");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void busyPrimariesGiveAllBusyInsteadOfSpillingToBackups(Algorithm algorithm) {
        Server a = server("a", 1, 1);
        Server b = server("b", 1, 1);
        Server x = backup("x");
        LoadBalancer lb = LoadBalancer.create(algorithm, ServerSet.of(a, b, x));
        Server first = hold(lb.pick(KEYS[0], null));
        hold(lb.pick(KEYS[0], null));
        assertThat(lb.pick(KEYS[0], null)).isInstanceOf(Pick.AllBusy.class);
        assertThat(x.totalRequests()).isZero();
        first.release();
        assertThat(hold(lb.pick(KEYS[0], null))).isSameAs(first);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void drainedServerGetsNoNewPicksAndKeepsItsInFlightRequests(Algorithm algorithm) {
        Server a = server("a", 1);
        Server b = server("b", 1);
        LoadBalancer lb = LoadBalancer.create(algorithm, ServerSet.of(a, b));
        assertThat(a.tryAcquire()).isTrue(); // a request already in flight on a
        a.setAdminState(AdminState.DRAIN);
        assertThat(namesPicked(lb)).containsExactly("b");
        assertThat(a.active()).isEqualTo(1);
        // The in-flight request finishes normally (released while drained, so least-loaded algorithms see a idle).
        a.release();
        assertThat(a.active()).isZero();
        a.setAdminState(AdminState.READY);
        assertThat(namesPicked(lb)).containsExactlyInAnyOrder("a", "b");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void serverInMaintenanceGetsNoNewPicks(Algorithm algorithm) {
        Server a = server("a", 1);
        Server b = server("b", 1);
        LoadBalancer lb = LoadBalancer.create(algorithm, ServerSet.of(a, b));
        b.setAdminState(AdminState.MAINT);
        assertThat(namesPicked(lb)).containsExactly("a");
        b.setAdminState(AdminState.READY);
        assertThat(namesPicked(lb)).containsExactlyInAnyOrder("a", "b");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void serverDownWhenTheLoopStartedTakesTrafficOnceItIsUp(Algorithm algorithm) {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Server c = server("c", 0);
        a.setHealthy(false);
        b.setAdminState(AdminState.MAINT);
        LoadBalancer lb = LoadBalancer.create(algorithm, ServerSet.of(a, b, c));
        assertThat(lb.pick(KEYS[0], null)).isInstanceOf(Pick.NoneAvailable.class);
        a.setHealthy(true);
        b.setAdminState(AdminState.READY);
        c.setWeight(2);
        assertThat(namesPicked(lb)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void thirdPickOnTwoServersWithMaxconnOneIsAllBusyUntilARelease() {
        Server a = server("a", 1, 1);
        Server b = server("b", 1, 1);
        LoadBalancer lb = LoadBalancer.create(Algorithm.ROUND_ROBIN, ServerSet.of(a, b));
        Server first = hold(lb.pick(0, null));
        Server second = hold(lb.pick(0, null));
        assertThat(Set.of(first, second)).containsExactlyInAnyOrder(a, b);
        assertThat(lb.pick(0, null)).isInstanceOf(Pick.AllBusy.class);
        second.release();
        assertThat(hold(lb.pick(0, null))).isSameAs(second);
    }

    @Test
    void avoidIsHonouredWhenAnotherServerCanTakeTheRequestAndIgnoredOtherwise() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        LoadBalancer lb = LoadBalancer.create(Algorithm.ROUND_ROBIN, ServerSet.of(a, b));
        for (int i = 0; i < 4; i++) {
            assertThat(pickName(lb.pick(0, a))).isEqualTo("b");
        }
        b.setHealthy(false);
        assertThat(pickName(lb.pick(0, a))).isEqualTo("a");
    }

    @Test
    void noEligibleServerAnywhereGivesNoneAvailable() {
        Server a = server("a", 1);
        Server x = backup("x");
        LoadBalancer lb = LoadBalancer.create(Algorithm.LEAST_CONNECTIONS, ServerSet.of(a, x));
        a.setHealthy(false);
        x.setAdminState(AdminState.DRAIN);
        assertThat(lb.pick(0, null)).isInstanceOf(Pick.NoneAvailable.class);
        x.setAdminState(AdminState.READY);
        assertThat(pickName(lb.pick(0, null))).isEqualTo("x");
    }

    @Test
    void weightSetAtRuntimeReachesTheBalancer() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Server c = server("c", 0);
        LoadBalancer lb = LoadBalancer.create(Algorithm.WEIGHTED_ROUND_ROBIN, ServerSet.of(a, b, c));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            counts.merge(pickName(lb.pick(0, null)), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b").containsEntry("a", 500);
        a.setWeight(3);
        c.setWeight(1);
        counts.clear();
        for (int i = 0; i < 5_000; i++) {
            counts.merge(pickName(lb.pick(0, null)), 1, Integer::sum);
        }
        // Weights 3:1:1 from here on; exact over whole cycles of 5, give or take the cycle in progress.
        assertThat(counts.get("a")).isBetween(2_998, 3_002);
        assertThat(counts.get("b")).isBetween(998, 1_002);
        assertThat(counts.get("c")).isBetween(998, 1_002);
    }

    @Test
    void eventLoopsSharingServersStayWithinMaxconnAndConvergeOnTheFinalState() throws Exception {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            servers.add(server("s" + i, 1 + i, 2));
        }
        ServerSet set = ServerSet.of(servers.toArray(new Server[0]));
        // s2 and s3 start out of rotation, so ending with only them in rotation needs every loop to have resynced.
        servers.get(2).setHealthy(false);
        servers.get(3).setWeight(0);
        int loops = 4;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(loops);
        List<LoadBalancer> balancers = new ArrayList<>();
        for (int t = 0; t < loops; t++) {
            LoadBalancer lb = LoadBalancer.create(Algorithm.values()[t % Algorithm.values().length], set);
            balancers.add(lb);
            long seed = t;
            Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                try {
                    while (!stop.get()) {
                        Pick pick = lb.pick(random.nextLong(), null);
                        if (pick instanceof Pick.Chosen(Server s)) {
                            if (s.active() > s.maxconn()) {
                                throw new AssertionError(s + " over maxconn: " + s.active());
                            }
                            s.release();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        // The control plane: flip health, admin state and weight for a while.
        SplittableRandom control = new SplittableRandom(99);
        for (int i = 0; i < 20_000; i++) {
            Server s = servers.get(control.nextInt(servers.size()));
            switch (control.nextInt(3)) {
                case 0 -> s.setHealthy(!s.healthy());
                case 1 -> s.setAdminState(AdminState.values()[control.nextInt(3)]);
                default -> s.setWeight(control.nextInt(4));
            }
        }
        // Final state: s0 down, s1 drained, s2 and s3 ready at weight 1.
        servers.get(0).setHealthy(false);
        servers.get(1).setAdminState(AdminState.DRAIN);
        for (Server s : servers.subList(2, 4)) {
            s.setHealthy(true);
            s.setAdminState(AdminState.READY);
            s.setWeight(1);
        }
        Thread.sleep(50);
        stop.set(true);
        done.await();
        assertThat(failure.get()).isNull();
        for (Server s : servers) {
            assertThat(s.active()).as(s.name()).isZero();
        }
        // Each loop, resynchronised on its (now this) thread, sends traffic only to s2 and s3.
        for (LoadBalancer lb : balancers) {
            assertThat(namesPicked(lb)).as(lb.algorithm().configName()).containsExactlyInAnyOrder("s2", "s3");
        }
    }

    @Test
    void eachLoopStartsItsRoundRobinRotationElsewhere() {
        ServerSet set = ServerSet.of(server("a", 1), server("b", 1), server("c", 1));
        LoadBalancer loop0 = LoadBalancer.forLoop(Algorithm.ROUND_ROBIN, set, 0);
        LoadBalancer loop1 = LoadBalancer.forLoop(Algorithm.ROUND_ROBIN, set, 1);
        List<String> seq0 = new ArrayList<>();
        List<String> seq1 = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seq0.add(pickName(loop0.pick(0, null)));
            seq1.add(pickName(loop1.pick(0, null)));
        }
        assertThat(seq0).containsExactly("a", "b", "c", "a");
        assertThat(seq1).containsExactly("b", "c", "a", "b");
    }

    @Test
    void eachLoopStartsItsSmoothWeightedRotationElsewhereWithTheSameProportions() {
        ServerSet set = ServerSet.of(server("a", 5), server("b", 1), server("c", 1));
        LoadBalancer loop0 = LoadBalancer.forLoop(Algorithm.WEIGHTED_ROUND_ROBIN, set, 0);
        LoadBalancer loop1 = LoadBalancer.forLoop(Algorithm.WEIGHTED_ROUND_ROBIN, set, 1);
        StringBuilder seq0 = new StringBuilder();
        StringBuilder seq1 = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            seq0.append(pickName(loop0.pick(0, null)));
            seq1.append(pickName(loop1.pick(0, null)));
        }
        // nginx's cycle a a b a c a a, entered one turn later on loop 1: same counts per cycle.
        assertThat(seq0.toString()).isEqualTo("aabacaa");
        assertThat(seq1.toString()).isEqualTo("abacaaa");
    }
}
