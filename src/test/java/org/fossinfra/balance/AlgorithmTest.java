package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AlgorithmTest {

    @Test
    void everyAlgorithmIsFoundByItsConfigName() {
        for (Algorithm a : Algorithm.values()) {
            assertThat(Algorithm.fromConfigName(a.configName())).contains(a);
        }
        assertThat(Algorithm.fromConfigName("leastconn")).contains(Algorithm.LEAST_CONNECTIONS);
        assertThat(Algorithm.fromConfigName("weighted-roundrobin")).contains(Algorithm.WEIGHTED_ROUND_ROBIN);
    }

    @Test
    void unknownOrMiscasedNamesAreNotFound() {
        assertThat(Algorithm.fromConfigName("least_conn")).isEmpty();
        assertThat(Algorithm.fromConfigName("RoundRobin")).isEmpty();
        assertThat(Algorithm.fromConfigName(null)).isEmpty();
    }

    @Test
    void onlySourceHashingNeedsTheClientAddress() {
        for (Algorithm a : Algorithm.values()) {
            assertThat(a.needsClientAddress()).as(a.name()).isEqualTo(a == Algorithm.SOURCE);
        }
    }
}
