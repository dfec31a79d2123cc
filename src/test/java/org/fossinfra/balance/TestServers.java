package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixtures shared by the balance tests. */
final class TestServers {

    static final String BACKEND = "api";

    private TestServers() {}

    /** A primary with no maxconn. */
    static Server server(String name, int weight) {
        return Server.create(BACKEND, name, "10.0.0.1", 8080, weight, 0, false);
    }

    static Server server(String name, int weight, int maxconn) {
        return Server.create(BACKEND, name, "10.0.0.1", 8080, weight, maxconn, false);
    }

    static Server backup(String name) {
        return Server.create(BACKEND, name, "10.0.1.1", 8080, 1, 0, true);
    }

    /** Servers named a, b, c, ... with the given weights. */
    static List<Server> weighted(int... weights) {
        List<Server> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(server(String.valueOf((char) ('a' + i)), weights[i]));
        }
        return out;
    }

    /** Servers named s0, s1, ... with weight 1. */
    static List<Server> named(int n) {
        List<Server> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(server("s" + i, 1));
        }
        return out;
    }

    /** Picks and releases at once, returning the chosen server's name; fails unless the pick is Chosen. */
    static String pickName(Balancer balancer) {
        return pickName(balancer.pick(0, null));
    }

    static String pickName(Pick pick) {
        assertThat(pick).isInstanceOf(Pick.Chosen.class);
        Server s = ((Pick.Chosen) pick).server();
        s.release();
        return s.name();
    }

    /** Picks and keeps the slot, returning the server. */
    static Server hold(Pick pick) {
        assertThat(pick).isInstanceOf(Pick.Chosen.class);
        return ((Pick.Chosen) pick).server();
    }

    /** The names of {@code n} picks, each released at once. */
    static List<String> sequence(Balancer balancer, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pickName(balancer));
        }
        return out;
    }

    /** Picks per server name over {@code n} picks, each released at once. */
    static Map<String, Integer> counts(Balancer balancer, int n) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.merge(pickName(balancer), 1, Integer::sum);
        }
        return out;
    }
}
