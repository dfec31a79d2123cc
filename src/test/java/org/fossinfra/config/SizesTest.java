package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void parsesBytesAndBinarySuffixes() {
        assertThat(Sizes.parse("256")).isEqualTo(256);
        assertThat(Sizes.parse("8k")).isEqualTo(8192);
        assertThat(Sizes.parse("8K")).isEqualTo(8192);
        assertThat(Sizes.parse("1m")).isEqualTo(1024 * 1024);
    }

    @Test
    void refusesOtherUnitsAndOverflow() {
        assertThatThrownBy(() -> Sizes.parse("8kb")).isInstanceOfSatisfying(Invalid.class, e -> {
            assertThat(e.problem).isEqualTo("'8kb' has an unknown unit");
            assertThat(e.fix).isEqualTo("write bytes, or k or m (1024-based), e.g. 8k");
        });
        assertThatThrownBy(() -> Sizes.parse("4096m")).isInstanceOfSatisfying(Invalid.class,
                e -> assertThat(e.problem).isEqualTo("'4096m' is too large"));
        assertThatThrownBy(() -> Sizes.parse("lots")).isInstanceOfSatisfying(Invalid.class,
                e -> assertThat(e.problem).isEqualTo("expected a size, found 'lots'"));
    }

    @Test
    void formatsWithTheLargestExactSuffix() {
        assertThat(Sizes.format(100)).isEqualTo("100");
        assertThat(Sizes.format(1024)).isEqualTo("1k");
        assertThat(Sizes.format(1536)).isEqualTo("1536");
        assertThat(Sizes.format(2 * 1024 * 1024)).isEqualTo("2m");
        assertThat(Sizes.format(0)).isEqualTo("0");
    }
}
