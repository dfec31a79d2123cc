package org.fossinfra.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exponential backoff with full jitter and a cap; a 429's own wait instead. */
class BackoffTest {
    @Test
    void theCeilingDoublesFromHalfASecondUpToTheCap() {
        Backoff b = new Backoff(8_000, bound -> bound); // always the ceiling
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waits.add(b.next());
        }
        assertThat(waits).containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 8_000L, 8_000L);
    }

    @Test
    void aSuccessStartsOverFromTheBase() {
        Backoff b = new Backoff(30_000, bound -> bound);
        b.next();
        b.next();
        b.next();
        b.reset();
        assertThat(b.next()).isEqualTo(500);
    }

    @Test
    void manyFailuresNeitherOverflowNorPassTheCap() {
        Backoff b = new Backoff(30_000, bound -> bound);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.next()).isBetween(0L, 30_000L);
        }
        assertThat(b.ceiling()).isEqualTo(30_000);
    }

    @Test
    void fullJitterDrawsAnywhereFromZeroToTheCeiling() {
        Backoff b = new Backoff(4_000);
        for (int attempt = 0; attempt < 4; attempt++) {
            long ceiling = b.ceiling();
            int low = 0;
            int high = 0;
            for (int i = 0; i < 2_000; i++) {
                Backoff probe = new Backoff(4_000);
                for (int k = 0; k < attempt; k++) {
                    probe.next();
                }
                long w = probe.next();
                assertThat(w).isBetween(0L, ceiling);
                low += w < ceiling / 4 ? 1 : 0;
                high += w > ceiling * 3 / 4 ? 1 : 0;
            }
            // Uniform: about a quarter of the draws in each end quarter (500 of 2,000; far from 250 by chance).
            assertThat(low).as("draws below a quarter of %d", ceiling).isBetween(350, 650);
            assertThat(high).as("draws above three quarters of %d", ceiling).isBetween(350, 650);
            b.next();
        }
    }

    @Test
    void aRateLimitWaitsWhatTheServerAskedAndDoesNotCountAsAnAttempt() {
        Backoff b = new Backoff(30_000, bound -> bound);
        MatrixException limited = new MatrixException(MatrixException.Kind.RATE_LIMITED, 429, "M_LIMIT_EXCEEDED",
                2_500, "PUT /rooms/.../send: HTTP 429");
        assertThat(b.delayFor(limited)).isEqualTo(2_501);
        assertThat(b.delayFor(limited)).isEqualTo(2_501);
        assertThat(b.ceiling()).isEqualTo(500);
        // A 429 that says nothing, and any other failure: the backoff.
        MatrixException silent = new MatrixException(MatrixException.Kind.RATE_LIMITED, 429, "", -1, "HTTP 429");
        assertThat(b.delayFor(silent)).isEqualTo(500);
        assertThat(b.delayFor(MatrixException.unavailable("GET /sync: connection refused"))).isEqualTo(1_000);
    }

    @Test
    void aCapBelowTheBaseIsRefused() {
        assertThatThrownBy(() -> new Backoff(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capMs: 100 (expected: 500 or more)");
    }
}
