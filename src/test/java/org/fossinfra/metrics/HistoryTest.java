package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {
    private final History h = new History(List.of("cpu", "rps"));

    @Test
    void keepsTheLastFifteenMinutesOfSecondsOldestFirst() {
        for (long s = 0; s < History.SECONDS + 100; s++) {
            h.record(1_000_000 + s, new double[] {s, 2 * s});
        }
        History.Points p = h.lastSeconds("rps", History.SECONDS + 50);
        assertThat(p.size()).isEqualTo(History.SECONDS);
        assertThat(p.epochSeconds()[0]).isEqualTo(1_000_000 + 100);
        assertThat(p.values()[p.size() - 1]).isEqualTo(2.0 * (History.SECONDS + 99));
        assertThat(h.lastSeconds("cpu", 3).values()).containsExactly(History.SECONDS + 97, History.SECONDS + 98,
                History.SECONDS + 99);
    }

    @Test
    void minutesAreTheAverageOfTheirSeconds() {
        long start = 60L * 1000; // on a minute boundary
        for (int s = 0; s < 180; s++) {
            h.record(start + s, new double[] {s < 60 ? 10 : s < 120 ? 20 : 30, 0});
        }
        History.Points m = h.lastMinutes("cpu", 10);
        // the third minute is still open
        assertThat(m.values()).containsExactly(10.0, 20.0);
        assertThat(m.epochSeconds()).containsExactly(start, start + 60);
    }

    @Test
    void aDayOfMinutesIsKeptAndNoMore() {
        for (long s = 0; s < (History.MINUTES + 5) * 60L + 1; s += 30) {
            h.record(s, new double[] {1, 1});
        }
        assertThat(h.lastMinutes("cpu", 10_000).size()).isEqualTo(History.MINUTES);
    }

    @Test
    void unknownSeriesOrWrongWidthIsRefused() {
        assertThatThrownBy(() -> h.lastSeconds("mem", 1)).hasMessage("no series 'mem'; series: [cpu, rps]");
        assertThatThrownBy(() -> h.record(0, new double[] {1})).hasMessage("values: 1 (expected: 2)");
    }
}
