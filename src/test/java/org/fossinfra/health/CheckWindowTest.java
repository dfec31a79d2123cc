package org.fossinfra.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fossinfra.health.CheckWindow.Result.FAILED;
import static org.fossinfra.health.CheckWindow.Result.OK;
import static org.fossinfra.health.CheckWindow.Result.SLOW;

import org.junit.jupiter.api.Test;

/** The state rule, as a deterministic sequence of results. */
class CheckWindowTest {
    @Test
    void nothingCheckedIsUnknown() {
        assertThat(new CheckWindow(10, 3).state()).isEqualTo(ServiceState.UNKNOWN);
    }

    @Test
    void allPassingIsHealthy() {
        CheckWindow w = new CheckWindow(10, 3);
        for (int i = 0; i < 25; i++) {
            assertThat(w.add(OK)).isEqualTo(ServiceState.HEALTHY);
        }
    }

    @Test
    void oneSlowCheckDegradesUntilItLeavesTheWindow() {
        CheckWindow w = new CheckWindow(3, 2);
        w.add(OK);
        assertThat(w.add(SLOW)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(OK)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(OK)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(OK)).as("the slow check is 4 checks back, outside a window of 3").isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void failuresBelowUnhealthyAfterInARowAreDegraded() {
        CheckWindow w = new CheckWindow(10, 3);
        w.add(OK);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(OK)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.failed()).isEqualTo(3);
        assertThat(w.consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void unhealthyAfterThatManyFailuresInARowAndDegradedOnTheFirstPass() {
        CheckWindow w = new CheckWindow(5, 3);
        w.add(FAILED);
        w.add(FAILED);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.UNHEALTHY);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.UNHEALTHY);
        assertThat(w.add(OK)).isEqualTo(ServiceState.DEGRADED);
        for (int i = 0; i < 3; i++) {
            assertThat(w.add(OK)).isEqualTo(ServiceState.DEGRADED);
        }
        assertThat(w.add(OK)).as("five passes in a row fill the window").isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void windowOfOneFollowsTheLastCheck() {
        CheckWindow w = new CheckWindow(1, 1);
        assertThat(w.add(SLOW)).isEqualTo(ServiceState.DEGRADED);
        assertThat(w.add(OK)).isEqualTo(ServiceState.HEALTHY);
        assertThat(w.add(FAILED)).isEqualTo(ServiceState.UNHEALTHY);
        assertThat(w.add(OK)).isEqualTo(ServiceState.HEALTHY);
    }

    @Test
    void unhealthyAfterMustFitTheWindow() {
        assertThatThrownBy(() -> new CheckWindow(3, 4)).hasMessage("unhealthyAfter: 4 (expected: 1..3)");
        assertThatThrownBy(() -> new CheckWindow(0, 1)).hasMessage("size: 0 (expected: 1 or more)");
    }
}
