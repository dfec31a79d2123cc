package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code matrix:} section: per-type notification switches, the sign-in checks, and the demo's Matrix parts. */
class MatrixConfigTest {
    private static final String BASE = """
            frontends:
              - { name: http, bind: "127.0.0.1:0", default-backend: web }
            backends:
              - name: web
                servers: [{ name: web1, address: "127.0.0.1:1" }]
            """;

    private static MatrixConfig matrix(String section, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(BASE + section, "node.yaml", env).matrix().orElseThrow();
    }

    @Test
    void everyTypeIsPostedUnlessSwitchedOffAndTheMostPreciseSwitchWins() throws Exception {
        MatrixConfig m = matrix("""
                matrix:
                  homeserver: https://matrix.example.org
                  user: "@foss-bot:example.org"
                  password: secret
                  notify:
                    server.*: false
                    server.state: true
                    config.reload.failed: false
                    auth.login: true
                """, Map.of());

        assertThat(m.notifies("server.down")).isFalse();
        assertThat(m.notifies("server.up")).isFalse();
        assertThat(m.notifies("server.state")).isTrue();
        assertThat(m.notifies("config.reload")).isTrue();
        assertThat(m.notifies("config.reload.failed")).isFalse();
        assertThat(m.notifies("service.unhealthy")).isTrue();
        // Off by default, on here.
        assertThat(m.notifies("auth.login")).isTrue();
        assertThat(m.notifies("auth.logout")).isFalse();
        // Types that do not exist yet (alerts, deployments) are posted until switched off.
        assertThat(m.notifies("alert.firing")).isTrue();
        assertThat(m.notifies("deploy.finished")).isTrue();
        // The bot never reports on itself.
        assertThat(m.notifies("matrix.unavailable")).isFalse();
    }

    @Test
    void aStarSwitchesEverythingOffButWhatIsNamed() throws Exception {
        MatrixConfig m = matrix("""
                matrix:
                  homeserver: https://matrix.example.org
                  user: "@foss-bot:example.org"
                  access-token: ${TOKEN}
                  notify: { "*": false, server.down: true, server.up: true }
                """, Map.of("TOKEN", "syt_abc"));
        assertThat(m.notifies("server.down")).isTrue();
        assertThat(m.notifies("server.up")).isTrue();
        assertThat(m.notifies("service.unhealthy")).isFalse();
        assertThat(m.notifies("node.start")).isFalse();
        assertThat(m.accessToken()).hasValue("syt_abc");
        assertThat(m.password()).isEmpty();
        assertThat(m.toString()).doesNotContain("syt_abc");
    }

    @Test
    void noWayToSignInAndMatrixSwitchesAreErrorsWithAFix() {
        assertThatThrownBy(() -> matrix("""
                matrix:
                  homeserver: https://matrix.example.org
                  user: "@foss-bot:example.org"
                  password: ${EMPTY:-}
                  notify: { matrix.unavailable: true, "Server Down": true }
                """, Map.of())).isInstanceOf(ConfigException.class).satisfies(e -> assertThat(e.getMessage())
                .contains("matrix.password: is empty, and so is the other way to sign in")
                .contains("matrix.* events are never posted to the room")
                .contains("'Server Down' is not an event type"));
    }

    @Test
    void theDemoRoutesMatrixPathsToAHealthCheckedHomeserverAndHasTheBotOffUnlessAsked() throws Exception {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/demo/demo.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Config off = ConfigLoader.parse(yaml, "demo.yaml", Map.of("FOSS_ADMIN_TOKEN", "demo-test-token-0123456789"));
        assertThat(off.frontends().getFirst().routes()).anySatisfy(r -> {
            assertThat(r.backend()).isEqualTo("matrix");
            assertThat(r.conditions()).containsExactly(
                    new RouteConfig.Condition.PathPrefix(List.of("/_matrix", "/_synapse")));
        });
        BackendConfig matrix = off.backend("matrix").orElseThrow();
        assertThat(matrix.healthCheck()).hasValueSatisfying(h -> {
            assertThat(h.method()).isEqualTo("GET");
            assertThat(h.path()).isEqualTo("/health");
        });
        assertThat(matrix.timeouts().server()).isEqualTo(Duration.ofSeconds(300));
        assertThat(off.matrix()).hasValueSatisfying(m -> assertThat(m.enabled()).isFalse());

        Config on = ConfigLoader.parse(yaml, "demo.yaml", Map.of("FOSS_ADMIN_TOKEN", "demo-test-token-0123456789",
                "FOSS_DEMO_MATRIX", "true",
                "FOSS_MATRIX_PASSWORD", "bot-password"));
        assertThat(on.matrix()).hasValueSatisfying(m -> {
            assertThat(m.enabled()).isTrue();
            assertThat(m.homeserver()).isEqualTo(URI.create("http://127.0.0.1:8080"));
            assertThat(m.user()).isEqualTo("@foss-bot:localhost");
        });
    }
}
