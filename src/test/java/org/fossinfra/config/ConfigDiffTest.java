package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reload diff: which sections and fields changed, which the running node takes, which wait for a restart. */
class ConfigDiffTest {
    private static final String HASH = "$2b$12$mYe49OXpckDZFt3akPKlcut9ygarR8tWVEUcfE2kADM/n5Tt0tmlu";
    private static final String OTHER_HASH = "$2b$12$rXRxrIL6.tJ8dx6IgntFlOaCqMFv5mxZyAlUvv70p1lwjZqsZqzAa";
    private static final String BASE = """
            node:
              name: node-1
              data-dir: /var/lib/foss
            admin:
              bind: 127.0.0.1:9090
              tokens:
                - { name: ops, secret: ops-secret-0123456789 }
                - { name: deploy, secret: deploy-secret-0123456789 }
              users:
                - { name: alice, password-hash: "%1$s" }
                - { name: bob, password-hash: "%1$s" }
            rate-limits:
              - { name: per-ip, policy: fixed-window, limit: 100, window: 1s }
            frontends:
              - name: http
                bind: 127.0.0.1:8080
                default-backend: web
            backends:
              - name: web
                servers:
                  - { name: web1, address: "127.0.0.1:9001", weight: 10 }
                  - { name: web2, address: "127.0.0.1:9002", weight: 10 }
            database:
              enabled: false
            matrix:
              homeserver: https://matrix.example.org
              user: "@bot:example.org"
              password: bot-password-0123
              operators: ["@alice:example.org"]
            """.formatted(HASH);

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "/etc/foss-infra/node.yaml", Map.of());
    }

    private static ConfigDiff diff(String before, String after) throws ConfigException {
        return ConfigDiff.between(parse(before), parse(after));
    }

    private static List<String> described(ConfigDiff d) {
        return d.changes().stream().map(ConfigDiff.Change::describe).toList();
    }

    @Test
    void theSameFileWithEverythingMovedDownChangesNothing() throws Exception {
        assertThat(diff(BASE, "# a comment\n\n# and another\n" + BASE).isEmpty()).isTrue();
    }

    @Test
    void aChangedServerWeightChangesItsBackendLive() throws Exception {
        ConfigDiff d = diff(BASE, BASE.replace("9002\", weight: 10", "9002\", weight: 20"));
        assertThat(described(d)).containsExactly("backend web changed");
        assertThat(d.live()).hasSize(1);
        assertThat(d.restartRequired()).isEmpty();
    }

    @Test
    void frontendsAddedAndRemovedAreNamed() throws Exception {
        String added = BASE.replace("backends:", """
                  - name: other
                    bind: 127.0.0.1:8081
                    default-backend: web
                backends:""");
        assertThat(described(diff(BASE, added))).containsExactly("frontend other added");
        assertThat(described(diff(added, BASE))).containsExactly("frontend other removed");
    }

    @Test
    void aFieldNoOneListedIsStillCompared() throws Exception {
        // The hand-written comparison this replaces left out a frontend's rate-limits: a reload that added one said
        // "no changes".
        ConfigDiff d = diff(BASE, BASE.replace("    default-backend: web\n", "    default-backend: web\n    rate-limits: [per-ip]\n"));
        assertThat(described(d)).containsExactly("frontend http changed");
    }

    @Test
    void rateLimitsAndServicesAreDiffedByName() throws Exception {
        String after = BASE.replace("limit: 100", "limit: 50").replace("database:", """
                services:
                  - { name: pg-port, type: tcp, address: "127.0.0.1:5432" }
                database:""");
        assertThat(described(diff(BASE, after))).containsExactly("service pg-port added", "rate-limit per-ip changed");
    }

    @Test
    void tokensAndUsersAreLiveAndNamedWithoutTheirSecrets() throws Exception {
        String after = BASE.replace("    - { name: deploy, secret: deploy-secret-0123456789 }\n", "")
                .replace("ops-secret-0123456789", "ops-secret-rotated-9876")
                .replace("    - { name: bob, password-hash: \"" + HASH + "\" }\n", "")
                .replace("name: alice, password-hash: \"" + HASH, "name: alice, password-hash: \"" + OTHER_HASH);
        ConfigDiff d = diff(BASE, after);
        assertThat(described(d)).containsExactly("admin.tokens deploy removed", "admin.tokens ops changed",
                "admin.users alice changed", "admin.users bob removed");
        assertThat(d.restartRequired()).isEmpty();
        assertThat(String.join("\n", described(d))).doesNotContain("secret-").doesNotContain("$2b$");
    }

    @Test
    void theAdminAddressTheNodeAndTheDatabaseWaitForARestart() throws Exception {
        String after = BASE.replace("bind: 127.0.0.1:9090", "bind: 127.0.0.1:9091").replace("name: node-1", "name: node-2")
                .replace("data-dir: /var/lib/foss", "data-dir: /srv/foss")
                .replace("database:\n  enabled: false", "database:\n  enabled: true");
        ConfigDiff d = diff(BASE, after);
        assertThat(described(d)).containsExactly("node.name changed (restart required)",
                "node.data-dir changed (restart required)", "admin.bind changed (restart required)",
                "database changed (restart required)",
                // The bot's default device id is made from the node's name.
                "matrix.device-id changed (restart required)");
        assertThat(d.live()).isEmpty();
    }

    @Test
    void matrixOperatorsAndNotificationsAreLiveItsConnectionIsNot() throws Exception {
        String after = BASE.replace("operators: [\"@alice:example.org\"]",
                        "operators: [\"@carol:example.org\"]\n  notify: { server.up: false }")
                .replace("https://matrix.example.org", "https://other.example.org")
                .replace("bot-password-0123", "bot-password-rotated");
        ConfigDiff d = diff(BASE, after);
        assertThat(described(d)).containsExactly("matrix.homeserver changed (restart required)",
                "matrix.password changed (restart required)", "matrix.operators changed", "matrix.notify changed");
        assertThat(String.join("\n", described(d))).doesNotContain("bot-password");
    }

    @Test
    void sectionsThatAppearOrGoAreNamed() throws Exception {
        String noMatrix = BASE.substring(0, BASE.indexOf("matrix:"));
        assertThat(described(diff(BASE, noMatrix))).containsExactly("matrix removed (restart required)");
        String noAdmin = BASE.substring(0, BASE.indexOf("admin:")) + BASE.substring(BASE.indexOf("rate-limits:"));
        assertThat(described(diff(BASE, noAdmin))).containsExactly("admin removed (restart required)");
        String redis = BASE + "redis:\n  address: 127.0.0.1:6379\n";
        assertThat(described(diff(BASE, redis))).containsExactly("redis added");
    }

    @Test
    void applyingTheLivePartKeepsWhatWaitsForARestartSoTheNextReloadStillSaysSo() throws Exception {
        Config running = parse(BASE);
        Config file = parse(BASE.replace("bind: 127.0.0.1:9090", "bind: 127.0.0.1:9091")
                .replace("    - { name: deploy, secret: deploy-secret-0123456789 }\n", "")
                .replace("operators: [\"@alice:example.org\"]", "operators: [\"@carol:example.org\"]")
                .replace("https://matrix.example.org", "https://other.example.org"));
        Config now = ConfigDiff.applyLive(running, file);

        assertThat(now.admin().orElseThrow().bind()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(now.admin().orElseThrow().tokens()).extracting(AdminConfig.Token::name).containsExactly("ops");
        assertThat(now.matrix().orElseThrow().operators()).containsExactly("@carol:example.org");
        assertThat(now.matrix().orElseThrow().homeserver().toString()).isEqualTo("https://matrix.example.org");
        ConfigDiff again = ConfigDiff.between(now, file);
        assertThat(described(again)).containsExactly("admin.bind changed (restart required)",
                "matrix.homeserver changed (restart required)");
    }

    @Test
    void valuesAreComparedByContentWhateverTheCollectionsClass() {
        List<String> mutable = new ArrayList<>(List.of("a", "b"));
        assertThat(ConfigDiff.same(List.of("a", "b"), mutable)).isTrue();
        assertThat(ConfigDiff.same(List.of("a", "b"), List.of("a", "b", "c"))).isFalse();
        assertThat(ConfigDiff.same(Optional.of(List.of(1)), Optional.of(new ArrayList<>(List.of(1))))).isTrue();
        assertThat(ConfigDiff.same(new HostPort("h", 1), new HostPort("h", 2))).isFalse();
        assertThat(ConfigDiff.same(new BackendConfig.ServerConfig("s", new HostPort("h", 1), 10, 0, false, 3),
                new BackendConfig.ServerConfig("s", new HostPort("h", 1), 10, 0, false, 30))).as("line ignored").isTrue();
    }
}
