package org.fossinfra.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DecisionTest {

    @Test
    void retryAfterRoundsUpToWholeSecondsAndIsAtLeastOne() {
        assertThat(new Decision.Denied(0).retryAfterSeconds()).isEqualTo(1);
        assertThat(new Decision.Denied(1).retryAfterSeconds()).isEqualTo(1);
        assertThat(new Decision.Denied(1000).retryAfterSeconds()).isEqualTo(1);
        assertThat(new Decision.Denied(1001).retryAfterSeconds()).isEqualTo(2);
        assertThat(new Decision.Denied(9_999).retryAfterSeconds()).isEqualTo(10);
    }

    @Test
    void commonAllowedValuesAreSharedAndOthersAreEqual() {
        assertThat(Decision.allowed(5)).isSameAs(Decision.allowed(5));
        assertThat(Decision.allowed(1_000_000)).isEqualTo(new Decision.Allowed(1_000_000));
    }

    @Test
    void refusesNegativeValues() {
        assertThatThrownBy(() -> new Decision.Allowed(-1)).hasMessage("remaining: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new Decision.Denied(-1)).hasMessage("retryAfterMillis: -1 (expected: >= 0)");
    }
}
