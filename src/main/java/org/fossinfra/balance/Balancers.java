package org.fossinfra.balance;

import java.util.Objects;
import java.util.random.RandomGenerator;

/** Maps an {@link Algorithm} to its implementation over a {@link Group} that the caller may keep a hand on. */
final class Balancers {

    private Balancers() {}

    static Balancer create(Algorithm algorithm, Group group, RandomGenerator random) {
        Objects.requireNonNull(algorithm, "algorithm");
        return switch (algorithm) {
            case ROUND_ROBIN -> new RoundRobin(group);
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin(group);
            case LEAST_CONNECTIONS -> new LeastConnections(group);
            case SOURCE -> new Maglev(group, Balancer.DEFAULT_MAGLEV_TABLE_SIZE);
            case RANDOM -> new RandomTwoChoices(group, random);
        };
    }
}
