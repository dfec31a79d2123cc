package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigErrorTest {
    @Test
    void rendersFileLineFieldProblemAndFix() {
        assertThat(new ConfigError("demo.yaml", 41, "backends[1] 'api'.health-check.interval", "50ms is below 100ms",
                "use 100ms or more").render())
                .isEqualTo("demo.yaml:41 backends[1] 'api'.health-check.interval: 50ms is below 100ms; use 100ms or more.");
    }

    @Test
    void leavesOutWhatIsNotKnownAndDoesNotDoubleThePunctuation() {
        assertThat(new ConfigError("a.yaml", 0, "", "no such file", "check the path").render())
                .isEqualTo("a.yaml: no such file; check the path.");
        assertThat(new ConfigError("a.yaml", 3, "x", "unknown key", "did you mean 'y'?").render())
                .isEqualTo("a.yaml:3 x: unknown key; did you mean 'y'?");
        assertThat(new ConfigError("a.yaml", 3, "x", "is wrong", "").render()).isEqualTo("a.yaml:3 x: is wrong.");
    }

    @Test
    void exceptionMessageCountsAndListsEveryError() {
        ConfigException e = new ConfigException("demo.yaml", List.of(
                new ConfigError("demo.yaml", 2, "a", "p1", "f1"),
                new ConfigError("demo.yaml", 5, "b", "p2", "f2")));
        assertThat(e.getMessage()).isEqualTo("2 errors in demo.yaml:\ndemo.yaml:2 a: p1; f1.\ndemo.yaml:5 b: p2; f2.");
        assertThat(new ConfigException("x.yaml", List.of(new ConfigError("x.yaml", 1, "a", "p", "f"))).getMessage())
                .startsWith("1 error in x.yaml:\n");
    }
}
