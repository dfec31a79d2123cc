package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.fossinfra.balance.TestServers.counts;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.named;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomTwoChoicesTest {

    private static final int PICKS = 100_000;

    @Test
    void idleEqualServersShareTrafficUniformly() {
        Balancer p2c = Balancer.randomTwoChoices(named(4), new SplittableRandom(42));
        Map<String, Integer> counts = counts(p2c, PICKS);
        assertThat(counts).hasSize(4);
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            System.out.printf("p2c uniform %s: %d of %d%n", e.getKey(), e.getValue(), PICKS);
            // Within ±2% of the uniform 25,000; a count's standard deviation is about 137.
            assertThat(e.getValue()).isBetween(24_500, 25_500);
        }
    }

    @Test
    void idleServersShareTrafficByWeight() {
        Balancer p2c = Balancer.randomTwoChoices(weighted(1, 3, 4), new SplittableRandom(7));
        Map<String, Integer> counts = counts(p2c, PICKS);
        assertThat(counts.get("a") / (double) PICKS).isCloseTo(1 / 8.0, offset(0.01));
        assertThat(counts.get("b") / (double) PICKS).isCloseTo(3 / 8.0, offset(0.01));
        assertThat(counts.get("c") / (double) PICKS).isCloseTo(4 / 8.0, offset(0.01));
    }

    @Test
    void takesTheLessLoadedOfTheTwo() {
        List<Server> servers = weighted(1, 1);
        Balancer p2c = Balancer.randomTwoChoices(servers, new SplittableRandom(1));
        for (int i = 0; i < 5; i++) {
            servers.get(0).tryAcquire();
        }
        // With two servers both are always drawn, so b wins until it has as many in flight.
        for (int i = 0; i < 5; i++) {
            assertThat(hold(p2c.pick(0, null)).name()).isEqualTo("b");
        }
    }

    @Test
    void heldRequestsStayCloselyBalanced() {
        List<Server> servers = named(10);
        Balancer p2c = Balancer.randomTwoChoices(servers, new SplittableRandom(3));
        for (int i = 0; i < 10_000; i++) {
            hold(p2c.pick(0, null));
        }
        int max = servers.stream().mapToInt(Server::active).max().orElseThrow();
        int min = servers.stream().mapToInt(Server::active).min().orElseThrow();
        System.out.printf("p2c 10,000 held over 10 servers: min %d max %d%n", min, max);
        // One random choice would spread about ±30 (one standard deviation) around 1,000.
        assertThat(max - min).isLessThanOrEqualTo(6);
    }

    @Test
    void weightChangeAtRuntimeChangesTheSplit() {
        List<Server> servers = weighted(1, 1);
        Balancer p2c = Balancer.randomTwoChoices(servers, new SplittableRandom(5));
        servers.get(1).setWeight(9);
        p2c.onWeightChange(servers.get(1));
        Map<String, Integer> counts = counts(p2c, PICKS);
        assertThat(counts.get("b") / (double) PICKS).isCloseTo(0.9, offset(0.01));
    }
}
