package org.fossinfra.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.fossinfra.balance.TestServers.hold;
import static org.fossinfra.balance.TestServers.named;
import static org.fossinfra.balance.TestServers.pickName;
import static org.fossinfra.balance.TestServers.server;
import static org.fossinfra.balance.TestServers.weighted;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaglevTest {

    private static final int M = Balancer.DEFAULT_MAGLEV_TABLE_SIZE;
    private static final int KEYS = 100_000;

    private static long[] randomKeys(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] keys = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = random.nextLong();
        }
        return keys;
    }

    /** The server name each key maps to, each pick released at once. */
    private static String[] map(Balancer maglev, long[] keys) {
        String[] out = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = pickName(maglev.pick(keys[i], null));
        }
        return out;
    }

    private static Map<String, Integer> tally(String[] names) {
        Map<String, Integer> counts = new HashMap<>();
        for (String n : names) {
            counts.merge(n, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void tableSizeMustBePrime() {
        assertThatThrownBy(() -> Balancer.maglev(named(3), 65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tableSize: 65536 (expected: a prime, e.g. 65537)");
        assertThatThrownBy(() -> Balancer.maglev(named(10), 7))
                .hasMessageStartingWith("tableSize: 7 (expected: at least");
        assertThat(Maglev.isPrime(65537)).isTrue();
        assertThat(Maglev.isPrime(65539)).isTrue();
        assertThat(Maglev.isPrime(65541)).isFalse();
    }

    @Test
    void sameKeyAlwaysGoesToTheSameServer() {
        Balancer maglev = Balancer.maglev(named(7), M);
        long[] keys = randomKeys(1);
        assertThat(map(maglev, keys)).containsExactly(map(maglev, keys));
        assertThat(map(Balancer.maglev(named(7), M), keys)).containsExactly(map(maglev, keys));
    }

    @Test
    void tableDoesNotDependOnConfigOrder() {
        List<Server> servers = named(6);
        List<Server> reversed = new ArrayList<>(named(6));
        Collections.reverse(reversed);
        Server[] t1 = ((Maglev) Balancer.maglev(servers, 10007)).table();
        Server[] t2 = ((Maglev) Balancer.maglev(reversed, 10007)).table();
        for (int i = 0; i < t1.length; i++) {
            assertThat(t2[i].name()).isEqualTo(t1[i].name());
        }
    }

    @Test
    void keysSpreadEvenlyOverEqualServers() {
        for (int n : new int[] {3, 5, 10}) {
            Map<String, Integer> counts = tally(map(Balancer.maglev(named(n), M), randomKeys(2)));
            assertThat(counts).hasSize(n);
            double expected = 1.0 / n;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                double share = e.getValue() / (double) KEYS;
                System.out.printf("maglev N=%d %s share %.4f (ideal %.4f)%n", n, e.getKey(), share, expected);
                // 100,000 keys: one standard deviation of a share is under 0.0016; the table adds under 0.001.
                assertThat(share).isCloseTo(expected, offset(0.01));
            }
        }
    }

    @Test
    void tableSharesFollowWeights() {
        List<Server> servers = weighted(1, 2, 3, 4);
        Maglev maglev = (Maglev) Balancer.maglev(servers, M);
        Map<String, Integer> entries = new HashMap<>();
        for (Server s : maglev.table()) {
            entries.merge(s.name(), 1, Integer::sum);
        }
        Map<String, Integer> keys = tally(map(maglev, randomKeys(3)));
        for (int i = 0; i < 4; i++) {
            String name = String.valueOf((char) ('a' + i));
            double ideal = (i + 1) / 10.0;
            double tableShare = entries.get(name) / (double) M;
            double keyShare = keys.get(name) / (double) KEYS;
            System.out.printf("maglev weighted %s weight %d: table %.4f keys %.4f (ideal %.4f)%n",
                    name, i + 1, tableShare, keyShare, ideal);
            assertThat(tableShare).isCloseTo(ideal, offset(0.005));
            assertThat(keyShare).isCloseTo(ideal, offset(0.01));
        }
    }

    @Test
    void removingOneServerMovesAboutOneNthOfKeysAndRestoringItMovesThemBack() {
        for (int n : new int[] {5, 10}) {
            List<Server> servers = named(n);
            Balancer maglev = Balancer.maglev(servers, M);
            long[] keys = randomKeys(4);
            String[] before = map(maglev, keys);

            Server victim = servers.get(n / 2);
            victim.setHealthy(false);
            maglev.onDown(victim);
            String[] during = map(maglev, keys);

            victim.setHealthy(true);
            maglev.onUp(victim);
            String[] after = map(maglev, keys);

            int changed = 0;
            int survivorKeys = 0;
            int survivorKeysMoved = 0;
            int back = 0;
            for (int i = 0; i < KEYS; i++) {
                if (!before[i].equals(during[i])) {
                    changed++;
                }
                if (!before[i].equals(victim.name())) {
                    survivorKeys++;
                    if (!before[i].equals(during[i])) {
                        survivorKeysMoved++;
                    }
                }
                if (before[i].equals(after[i])) {
                    back++;
                }
                assertThat(during[i]).isNotEqualTo(victim.name());
            }
            double changedFraction = changed / (double) KEYS;
            double survivorMovedFraction = survivorKeysMoved / (double) survivorKeys;
            double backFraction = back / (double) KEYS;
            System.out.printf("maglev M=%d N=%d: remove %s -> %.4f of keys changed server (1/N = %.4f); "
                    + "%.4f of keys on surviving servers moved; restore -> %.4f back on their original server%n",
                    M, n, victim.name(), changedFraction, 1.0 / n, survivorMovedFraction, backFraction);
            assertThat(changedFraction).isLessThanOrEqualTo(1.0 / n * 1.2);
            assertThat(survivorMovedFraction).isLessThanOrEqualTo(0.01);
            assertThat(backFraction).isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void weightChangeRebuildsTheTable() {
        List<Server> servers = weighted(1, 1);
        Balancer maglev = Balancer.maglev(servers, M);
        servers.get(0).setWeight(3);
        maglev.onWeightChange(servers.get(0));
        Map<String, Integer> counts = tally(map(maglev, randomKeys(5)));
        assertThat(counts.get("a") / (double) KEYS).isCloseTo(0.75, offset(0.01));
    }

    @Test
    void fullServerFallsBackToTheNextTableEntryTheSameWayEachTime() {
        List<Server> servers = List.of(server("a", 1, 1), server("b", 1, 1), server("c", 1, 1));
        Maglev maglev = (Maglev) Balancer.maglev(servers, 10007);
        Server[] table = maglev.table();
        long key = 12345;
        int pos = (int) Long.remainderUnsigned(key, 10007);
        Server home = table[pos];
        Server expectedFallback = null;
        for (int i = 1; expectedFallback == null; i++) {
            if (table[(pos + i) % table.length] != home) {
                expectedFallback = table[(pos + i) % table.length];
            }
        }
        Server first = hold(maglev.pick(key, null));
        assertThat(first).isSameAs(home);
        Server second = hold(maglev.pick(key, null));
        assertThat(second).isSameAs(expectedFallback);
        second.release();
        assertThat(hold(maglev.pick(key, null))).isSameAs(expectedFallback);
    }

    @Test
    void avoidedServerIsReplacedByTheNextTableEntry() {
        List<Server> servers = named(4);
        Maglev maglev = (Maglev) Balancer.maglev(servers, 10007);
        long key = 987654321L;
        Server home = hold(maglev.pick(key, null));
        home.release();
        Server other = hold(maglev.pick(key, home));
        assertThat(other).isNotSameAs(home);
    }
}
