package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void boundsRunFromAHundredMicrosecondsToSixtySecondsAtMostAThirdApart() {
        double[] b = LatencyHistogram.bounds();
        assertThat(b[0]).isEqualTo(0.0001);
        assertThat(b[b.length - 1]).isEqualTo(60.0);
        for (int i = 1; i < b.length; i++) {
            assertThat(b[i] / b[i - 1]).isBetween(1.1, 1.34);
        }
        assertThat(b).contains(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0);
    }

    @Test
    void valuesLandInTheBucketWhoseUpperBoundIsTheFirstAtOrAboveThem() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000); // exactly 1 ms: bucket (0.8 ms, 1 ms]
        h.record(1_000_001);
        h.record(90_000_000_000L); // 90 s: beyond the last bound
        long[] c = h.snapshot().counts();
        int oneMs = Arrays.binarySearch(LatencyHistogram.bounds(), 0.001);
        assertThat(c[oneMs]).isEqualTo(1);
        assertThat(c[oneMs + 1]).isEqualTo(1);
        assertThat(c[c.length - 1]).isEqualTo(1);
    }

    @Test
    void quantilesOfALogNormalSampleAreWithinFifteenPercent() {
        LatencyHistogram h = new LatencyHistogram();
        SplittableRandom rnd = new SplittableRandom(7);
        double[] sample = new double[200_000];
        for (int i = 0; i < sample.length; i++) {
            double seconds = Math.exp(Math.log(0.005) + 0.8 * gaussian(rnd)); // median 5 ms
            sample[i] = seconds;
            h.record((long) (seconds * 1e9));
        }
        Arrays.sort(sample);
        LatencyHistogram.Snapshot s = h.snapshot();
        for (double q : new double[] {0.5, 0.95, 0.99}) {
            double exact = sample[(int) (q * sample.length) - 1];
            assertThat(s.quantile(q)).as("q=" + q).isCloseTo(exact, within(exact * 0.15));
        }
        assertThat(s.count()).isEqualTo(sample.length);
    }

    @Test
    void intervalQuantilesComeFromTheDifferenceOfSnapshots() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 1000; i++) {
            h.record(1_000_000_000L); // an old slow second
        }
        LatencyHistogram.Snapshot before = h.snapshot();
        for (int i = 0; i < 1000; i++) {
            h.record(2_000_000L);
        }
        LatencyHistogram.Snapshot delta = h.snapshot().minus(before);
        assertThat(delta.count()).isEqualTo(1000);
        assertThat(delta.quantile(0.99)).isBetween(0.0015, 0.002);
        assertThat(delta.meanSeconds()).isCloseTo(0.002, within(1e-9));
        assertThat(new LatencyHistogram().snapshot().quantile(0.5)).isNaN();
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
