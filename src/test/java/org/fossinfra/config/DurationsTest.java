package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesEveryUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void refusesWhatIsNotAWholeNumberAndAUnit() {
        assertInvalid("10", "expected a duration with a unit, found bare number 10", "write 10s or 10ms");
        assertInvalid("1.5s", "'1.5s' is not a whole number", "use a smaller unit, e.g. 1500ms for 1.5s");
        assertInvalid("10 s", "'10 s' has a space before the unit", "write 10s");
        assertInvalid("10min", "'10min' has an unknown unit", "use ms, s, m, h or d, e.g. 10s");
        assertInvalid("-5s", "expected a duration, found '-5s'",
                "write a whole number and a unit (ms, s, m, h or d), e.g. 10s");
        assertInvalid("9999999999d", "'9999999999d' is too large", "use a larger unit, e.g. 1h or 1d");
    }

    @Test
    void formatsWithTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofMillis(100))).isEqualTo("100ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ofDays(3))).isEqualTo("3d");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0ms");
    }

    private static void assertInvalid(String text, String problem, String fix) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOfSatisfying(Invalid.class, e -> {
            assertThat(e.problem).isEqualTo(problem);
            assertThat(e.fix).isEqualTo(fix);
        });
    }
}
