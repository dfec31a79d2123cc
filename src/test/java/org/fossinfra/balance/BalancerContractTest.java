package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.named;
import static org.fossinfra.balance.TestServers.server;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every algorithm must do, whatever its order of preference. */
class BalancerContractTest {

    private static final long[] KEYS = new SplittableRandom(11).longs(2_000).toArray();

    private static Set<String> namesPicked(Balancer b, Server avoid) {
        Set<String> names = new HashSet<>();
        for (long key : KEYS) {
            names.add(TestServers.pickName(b.pick(key, avoid)));
        }
        return names;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void noEligibleServerGivesNoneAvailable(Algorithm algorithm) {
        assertThat(Balancer.create(algorithm, List.of()).pick(1, null)).isInstanceOf(Pick.NoneAvailable.class);
        List<Server> servers = named(3);
        servers.forEach(s -> s.setHealthy(false));
        assertThat(Balancer.create(algorithm, servers).pick(1, null)).isInstanceOf(Pick.NoneAvailable.class);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyServerAtMaxconnGivesAllBusyUntilOneIsReleased(Algorithm algorithm) {
        List<Server> servers = List.of(server("a", 1, 1), server("b", 2, 1), server("c", 3, 1));
        Balancer b = Balancer.create(algorithm, servers);
        List<Server> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(hold(b.pick(KEYS[0], null)));
        }
        assertThat(held).containsExactlyInAnyOrderElementsOf(servers);
        assertThat(b.pick(KEYS[0], null)).isInstanceOf(Pick.AllBusy.class);
        held.get(1).release();
        assertThat(hold(b.pick(KEYS[0], null))).isSameAs(held.get(1));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void serverThatWentIneligibleIsNeverReturnedEvenBeforeTheBalancerIsTold(Algorithm algorithm) {
        List<Server> servers = named(4);
        Balancer b = Balancer.create(algorithm, servers);
        servers.get(1).setHealthy(false);
        servers.get(2).setAdminState(AdminState.DRAIN);
        servers.get(3).setWeight(0);
        assertThat(namesPicked(b, null)).containsExactly("s0");
        servers.get(0).setAdminState(AdminState.MAINT);
        assertThat(b.pick(KEYS[0], null)).isInstanceOf(Pick.NoneAvailable.class);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void downAndUpNotificationsMoveServersOutOfAndBackIntoRotation(Algorithm algorithm) {
        List<Server> servers = named(3);
        Balancer b = Balancer.create(algorithm, servers);
        Server s1 = servers.get(1);
        s1.setHealthy(false);
        b.onDown(s1);
        assertThat(namesPicked(b, null)).containsExactlyInAnyOrder("s0", "s2");
        s1.setHealthy(true);
        b.onUp(s1);
        assertThat(namesPicked(b, null)).containsExactlyInAnyOrder("s0", "s1", "s2");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void serverThatWasDownAtCreationJoinsWhenToldUp(Algorithm algorithm) {
        List<Server> servers = named(2);
        servers.get(0).setHealthy(false);
        Balancer b = Balancer.create(algorithm, servers);
        assertThat(namesPicked(b, null)).containsExactly("s1");
        servers.get(0).setHealthy(true);
        b.onUp(servers.get(0));
        assertThat(namesPicked(b, null)).containsExactlyInAnyOrder("s0", "s1");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void avoidedServerIsSkippedWhileAnotherCanTakeTheRequest(Algorithm algorithm) {
        List<Server> servers = named(3);
        Balancer b = Balancer.create(algorithm, servers);
        assertThat(namesPicked(b, servers.get(0))).containsExactlyInAnyOrder("s1", "s2");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void avoidedServerIsUsedWhenItIsTheOnlyOneThatCanTakeTheRequest(Algorithm algorithm) {
        Balancer alone = Balancer.create(algorithm, named(1));
        Server only = hold(alone.pick(KEYS[0], null));
        assertThat(hold(alone.pick(KEYS[0], only))).isSameAs(only);

        List<Server> servers = List.of(server("a", 1, 1), server("b", 1, 1));
        Balancer b = Balancer.create(algorithm, servers);
        assertThat(servers.get(1).tryAcquire()).isTrue();
        assertThat(hold(b.pick(KEYS[0], servers.get(0)))).isSameAs(servers.get(0));
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void weightZeroServerGetsNoTraffic(Algorithm algorithm) {
        Balancer b = Balancer.create(algorithm, weighted(2, 0, 1));
        assertThat(namesPicked(b, null)).containsExactlyInAnyOrder("a", "c");
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void notificationForAServerOutsideTheGroupIsRejected(Algorithm algorithm) {
        Balancer b = Balancer.create(algorithm, named(2));
        Server stranger = server("x", 1);
        assertThatThrownBy(() -> b.onUp(stranger))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("server: 'x' (expected: one of this balancer's servers)");
    }
}
