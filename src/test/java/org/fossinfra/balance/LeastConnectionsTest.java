package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.pickName;
import static org.fossinfra.balance.TestServers.sequence;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    private static void occupy(Server s, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(s.tryAcquire()).isTrue();
        }
    }

    @Test
    void choosesTheServerWithFewestRequestsInFlight() {
        List<Server> servers = weighted(1, 1, 1);
        occupy(servers.get(0), 2);
        occupy(servers.get(2), 1);
        Balancer lc = Balancer.leastConnections(servers);
        assertThat(pickName(lc)).isEqualTo("b");
        occupy(servers.get(1), 3);
        assertThat(pickName(lc)).isEqualTo("c");
    }

    @Test
    void equalServersAlternate() {
        Balancer lc = Balancer.leastConnections(weighted(1, 1, 1));
        assertThat(sequence(lc, 7)).containsExactly("a", "b", "c", "a", "b", "c", "a");
    }

    @Test
    void comparesActiveOverWeight() {
        List<Server> servers = weighted(3, 1);
        Balancer lc = Balancer.leastConnections(servers);
        occupy(servers.get(0), 2); // 2/3
        occupy(servers.get(1), 1); // 1/1
        assertThat(pickName(lc)).isEqualTo("a");
        occupy(servers.get(0), 2); // 4/3
        assertThat(pickName(lc)).isEqualTo("b");
    }

    @Test
    void countsGoDownOnReleaseAndTheChoiceFollows() {
        Balancer lc = Balancer.leastConnections(weighted(1, 1));
        List<Server> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(hold(lc.pick(0, null)));
        }
        Server a = held.get(0);
        Server b = held.get(1);
        assertThat(a.active()).isEqualTo(5);
        assertThat(b.active()).isEqualTo(5);
        // Release all of a's: if counts never went down (the seed's bug), b would keep getting half.
        for (Server s : held) {
            if (s == a) {
                s.release();
            }
        }
        assertThat(a.active()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(hold(lc.pick(0, null))).isSameAs(a);
        }
        assertThat(a.active()).isEqualTo(5);
        assertThat(hold(lc.pick(0, null))).isNotNull();
    }

    @Test
    void heldRequestsSpreadInProportionToWeight() {
        List<Server> servers = weighted(3, 1);
        Balancer lc = Balancer.leastConnections(servers);
        for (int i = 0; i < 400; i++) {
            hold(lc.pick(0, null));
        }
        assertThat(servers.get(0).active()).isBetween(299, 301);
        assertThat(servers.get(1).active()).isBetween(99, 101);
    }

    @Test
    void weightChangeAtRuntimeShiftsTheBalance() {
        List<Server> servers = weighted(1, 1);
        Balancer lc = Balancer.leastConnections(servers);
        servers.get(1).setWeight(4);
        lc.onWeightChange(servers.get(1));
        for (int i = 0; i < 500; i++) {
            hold(lc.pick(0, null));
        }
        assertThat(servers.get(0).active()).isBetween(99, 101);
        assertThat(servers.get(1).active()).isBetween(399, 401);
    }
}
