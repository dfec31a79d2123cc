package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fossinfra.balance.TestServers.counts;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.sequence;
import static org.fossinfra.balance.TestServers.server;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

    @Test
    void weights511GiveTheNginxSequenceEveryCycle() {
        Balancer swrr = Balancer.weightedRoundRobin(weighted(5, 1, 1));
        List<String> cycle = List.of("a", "a", "b", "a", "c", "a", "a");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.addAll(cycle);
        }
        assertThat(sequence(swrr, 21)).containsExactlyElementsOf(expected);
    }

    @Test
    void weights21Interleave() {
        Balancer swrr = Balancer.weightedRoundRobin(weighted(2, 1));
        assertThat(sequence(swrr, 6)).containsExactly("a", "b", "a", "a", "b", "a");
    }

    @Test
    void weights321Interleave() {
        // current weights, a b c: 3 2 1 -> a (-3 2 1); 0 4 2 -> b (0 -2 2); 3 0 3 -> a (-3 0 3);
        // 0 2 4 -> c (0 2 -2); 3 4 -1 -> b (3 -2 -1); 6 0 0 -> a (0 0 0).
        Balancer swrr = Balancer.weightedRoundRobin(weighted(3, 2, 1));
        assertThat(sequence(swrr, 6)).containsExactly("a", "b", "a", "c", "b", "a");
    }

    @Test
    void proportionsAreExactOverFullCycles() {
        Balancer swrr = Balancer.weightedRoundRobin(weighted(3, 2, 1));
        int picks = 100_002; // 16,667 cycles of 6
        Map<String, Integer> counts = counts(swrr, picks);
        assertThat(counts).containsEntry("a", picks / 6 * 3).containsEntry("b", picks / 6 * 2)
                .containsEntry("c", picks / 6);
    }

    @Test
    void everyServerStaysWithinOnePickOfItsShareAfterEveryPick() {
        // Smoothness: a naive weighted rotation (a a a a a b c) is 1.43 picks ahead for a after five picks.
        for (int[] w : new int[][] {{5, 1, 1}, {3, 2, 1}, {10, 7, 3, 1}}) {
            Balancer swrr = Balancer.weightedRoundRobin(weighted(w));
            int total = 0;
            for (int x : w) {
                total += x;
            }
            int[] count = new int[w.length];
            double worst = 0;
            for (int t = 1; t <= 10 * total; t++) {
                count[TestServers.pickName(swrr).charAt(0) - 'a']++;
                for (int i = 0; i < w.length; i++) {
                    worst = Math.max(worst, Math.abs(count[i] - (double) t * w[i] / total));
                }
            }
            assertThat(worst).as("largest deviation for weights %s", java.util.Arrays.toString(w)).isLessThan(1.0);
        }
    }

    @Test
    void weightChangeAtRuntimeChangesTheProportions() {
        List<Server> servers = weighted(1, 1);
        Balancer swrr = Balancer.weightedRoundRobin(servers);
        assertThat(counts(swrr, 1000)).containsEntry("a", 500).containsEntry("b", 500);
        servers.get(0).setWeight(3);
        swrr.onWeightChange(servers.get(0));
        Map<String, Integer> after = counts(swrr, 4000);
        assertThat(after.get("a")).isBetween(2999, 3001);
        assertThat(after.get("b")).isBetween(999, 1001);
    }

    @Test
    void weightZeroServerGetsNoTraffic() {
        Balancer swrr = Balancer.weightedRoundRobin(weighted(5, 0, 1));
        assertThat(counts(swrr, 600)).containsOnlyKeys("a", "c").containsEntry("a", 500);
    }

    @Test
    void fullServerSitsOutInsteadOfBeingCharged() {
        List<Server> servers = List.of(server("a", 5, 1), server("b", 1), server("c", 1));
        Balancer swrr = Balancer.weightedRoundRobin(servers);
        Server a = hold(swrr.pick(0, null));
        assertThat(a.name()).isEqualTo("a");
        assertThat(sequence(swrr, 4)).containsExactly("b", "c", "b", "c");
        a.release();
        // a's current weight did not fall while it sat out, so it gets its full 5 of the next 7.
        assertThat(Collections.frequency(sequence(swrr, 7), "a")).isEqualTo(5);
    }
}
