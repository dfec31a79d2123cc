package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.pickName;
import static org.fossinfra.balance.TestServers.sequence;
import static org.fossinfra.balance.TestServers.server;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    @Test
    void rotatesThroughServersInConfigOrder() {
        Balancer rr = Balancer.roundRobin(weighted(1, 1, 1));
        assertThat(sequence(rr, 9)).containsExactly("a", "b", "c", "a", "b", "c", "a", "b", "c");
    }

    @Test
    void ignoresWeightsButNotWeightZero() {
        Balancer rr = Balancer.roundRobin(weighted(10, 1, 0, 3));
        assertThat(sequence(rr, 6)).containsExactly("a", "b", "d", "a", "b", "d");
    }

    @Test
    void downServerLeavesTheRotationAndComesBackInPlace() {
        List<Server> servers = weighted(1, 1, 1);
        Balancer rr = Balancer.roundRobin(servers);
        Server b = servers.get(1);
        assertThat(pickName(rr)).isEqualTo("a");
        b.setHealthy(false);
        rr.onDown(b);
        // b was next; the rotation continues with the server after it rather than restarting at a.
        assertThat(sequence(rr, 4)).containsExactly("c", "a", "c", "a");
        b.setHealthy(true);
        rr.onUp(b);
        // c was next when b came back, so c keeps its turn and b slots in at its config position.
        assertThat(sequence(rr, 4)).containsExactly("c", "a", "b", "c");
    }

    @Test
    void fullServerIsSkippedAndTheRotationGoesOn() {
        List<Server> servers = List.of(server("a", 1, 1), server("b", 1, 1), server("c", 1, 1));
        Balancer rr = Balancer.roundRobin(servers);
        Server heldB = servers.get(1);
        assertThat(heldB.tryAcquire()).isTrue();
        assertThat(sequence(rr, 4)).containsExactly("a", "c", "a", "c");
        heldB.release();
        assertThat(sequence(rr, 3)).containsExactly("a", "b", "c");
    }

    @Test
    void avoidedServerIsSkippedWithoutDisturbingTheRotation() {
        List<Server> servers = weighted(1, 1, 1);
        Balancer rr = Balancer.roundRobin(servers);
        assertThat(pickName(rr.pick(0, servers.get(0)))).isEqualTo("b");
        assertThat(sequence(rr, 3)).containsExactly("c", "a", "b");
    }

    @Test
    void twoServersAtMaxconnOneGiveAllBusyOnTheThirdPick() {
        Balancer rr = Balancer.roundRobin(List.of(server("a", 1, 1), server("b", 1, 1)));
        Server first = hold(rr.pick(0, null));
        hold(rr.pick(0, null));
        assertThat(rr.pick(0, null)).isInstanceOf(Pick.AllBusy.class);
        first.release();
        assertThat(hold(rr.pick(0, null))).isSameAs(first);
    }
}
