package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every secret in the configuration refuses {@code ${VAR:-default}} with a default, with the file, line, field and
 * what to do, and never repeats the default (it may be a real password); other fields keep taking defaults.
 */
class SecretDefaultsTest {
    private static final String HASH = "$2b$12$mYe49OXpckDZFt3akPKlcut9ygarR8tWVEUcfE2kADM/n5Tt0tmlu";
    /** A valid node around each case's section. */
    private static final String REST = """
            frontends:
              - name: http
                bind: 127.0.0.1:${PORT:-8080}
                default-backend: web
            backends:
              - name: web
                servers: [{ name: web1, address: "127.0.0.1:9001" }]
            """;

    /** The field, and a section whose line 3 holds the secret with a default (the variable is always S). */
    static Stream<Arguments> secrets() {
        return Stream.of(
                Arguments.of("admin.tokens[0].secret", """
                        admin:
                          bind: 127.0.0.1:9090
                          tokens: [{ name: ops, secret: "${S:-known-token-0123456789}" }]
                        """),
                Arguments.of("admin.users[0].password-hash", """
                        admin:
                          tokens: [{ name: ops, secret: "${T}" }]
                          users: [{ name: alice, password-hash: "${S:-%s}" }]
                          bind: 127.0.0.1:9090
                        """.formatted(HASH)),
                Arguments.of("matrix.password", """
                        matrix:
                          homeserver: https://m.example.org
                          password: ${S:-known-password}
                          user: "@bot:example.org"
                        """),
                Arguments.of("matrix.access-token", """
                        matrix:
                          homeserver: https://m.example.org
                          access-token: ${S:-syt_known}
                          user: "@bot:example.org"
                        """),
                Arguments.of("redis.password", """
                        redis:
                          address: 127.0.0.1:6379
                          password: ${S:-known-password}
                        """),
                Arguments.of("database.password", """
                        database:
                          url: postgresql://foss@db1:5432/foss
                          password: ${S:-known-password}
                        """),
                Arguments.of("services[0] 'db'.password", """
                        services:
                          - { name: db, type: postgres, url: "postgresql://foss@db1/foss",
                              password: "${S:-known-password}" }
                        """),
                Arguments.of("services[0] 'cache'.password", """
                        services:
                          - name: cache
                            password: ${S:-known-password}
                            type: redis
                            address: 127.0.0.1:6379
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secrets")
    void aDefaultForASecretIsRefusedWithWhereAndWhatToDo(String field, String section) {
        assertThatThrownBy(() -> ConfigLoader.parse(section + REST, "node.yaml", Map.of("T", "a-token-long-enough-0123")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.errors()).extracting(ConfigError::render).containsExactly("node.yaml:3 " + field
                            + ": is a secret, and ${S:-...} gives it a default; set S in the environment and write ${S};"
                            + " a default for a secret would ship a known password.");
                    assertThat(e.getMessage()).doesNotContain("known-").doesNotContain("syt_known").doesNotContain(HASH);
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secrets")
    void theSameSecretFromTheEnvironmentIsFine(String field, String section) throws ConfigException {
        String fromEnv = section.replaceAll("\\$\\{S:-[^}]*}", "\\${S}");
        String value = field.endsWith("password-hash") ? HASH : "from-the-environment-0123";
        assertThat(ConfigLoader.parse(fromEnv + REST, "node.yaml", Map.of("S", value, "T", "a-token-long-enough-0123")))
                .isNotNull();
    }

    static Stream<Arguments> allowed() {
        return Stream.of(
                Arguments.of("an empty default: no AUTH", "redis:\n  address: 127.0.0.1:6379\n  password: ${UNSET:-}\n"),
                Arguments.of("a secret written in the file", "redis:\n  address: 127.0.0.1:6379\n  password: mine\n"),
                Arguments.of("a default for what is no secret", "redis:\n  address: 127.0.0.1:${REDIS_PORT:-6379}\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowed")
    void whatStaysAllowed(String name, String section) throws ConfigException {
        assertThat(ConfigLoader.parse(section + REST, "node.yaml", Map.of()).redis()).isPresent();
    }
}
