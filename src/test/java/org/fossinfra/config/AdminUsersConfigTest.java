package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** admin.users: dashboard users with bcrypt hashes, checked at load with messages that never repeat the hash. */
class AdminUsersConfigTest {
    private static final String HASH = "$2b$12$mYe49OXpckDZFt3akPKlcut9ygarR8tWVEUcfE2kADM/n5Tt0tmlu";
    private static final String TAIL = """
            frontends:
              - { name: http, bind: 127.0.0.1:8080, default-backend: web }
            backends:
              - { name: web, servers: [{ name: web1, address: 127.0.0.1:4000 }] }
            """;

    private static String admin(String users) {
        return """
                admin:
                  bind: 127.0.0.1:9090
                  tokens: [{ name: ops, secret: aaaaaaaaaaaaaaaaaaaa }]
                  users:
                %s
                """.formatted(users) + TAIL;
    }

    private static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse(yaml, "node.yaml", Map.of());
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::render).toList();
        }
        return fail("expected a ConfigException");
    }

    @Test
    void usersAreReadWithTheirHashes() throws Exception {
        Config c = ConfigLoader.parse(admin("""
                    - name: alice
                      password-hash: "%s"
                    - { name: bob, password-hash: '%s' }
                """.formatted(HASH, HASH.replace("$2b$", "$2y$"))), "node.yaml", Map.of());
        List<AdminConfig.User> users = c.admin().orElseThrow().users();
        assertThat(users).extracting(AdminConfig.User::name).containsExactly("alice", "bob");
        assertThat(users.getFirst().passwordHash()).isEqualTo(HASH);
        assertThat(users.getFirst().toString()).doesNotContain(HASH);
    }

    @Test
    void usersAreOptional() throws Exception {
        Config c = ConfigLoader.parse("""
                admin:
                  bind: 127.0.0.1:9090
                  tokens: [{ name: ops, secret: aaaaaaaaaaaaaaaaaaaa }]
                """ + TAIL, "node.yaml", Map.of());
        assertThat(c.admin().orElseThrow().users()).isEmpty();
    }

    @Test
    void aPlainPasswordIsRefusedWithoutBeingRepeated() {
        List<String> errors = errors(admin("    - { name: alice, password-hash: hunter2hunter2 }"));
        assertThat(errors).containsExactly("node.yaml:5 admin.users[0].password-hash: is not a password hash; the"
                + " password itself must never be in the config; make one with: ./foss-infra hash-password (then paste"
                + " the line it prints, in quotes).");
        assertThat(String.join("\n", errors)).doesNotContain("hunter2");
    }

    @Test
    void argon2IsRefusedWithAWayOut() {
        assertThat(errors(admin("    - { name: alice, password-hash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA' }")))
                .singleElement().asString()
                .startsWith("node.yaml:5 admin.users[0].password-hash: is an argon2 hash, which this version does not"
                        + " check (bcrypt only); make one with: ./foss-infra hash-password");
    }

    @Test
    void aCutOffHashIsRefused() {
        assertThat(errors(admin("    - { name: alice, password-hash: '" + HASH.substring(0, 50) + "' }")))
                .singleElement().asString()
                .contains("is not a whole bcrypt hash ($2b$<cost>$ and 53 characters of ./A-Za-z0-9, 50 characters"
                        + " found where 60 are expected)");
    }

    @Test
    void aCheapOrAnExpensiveCostIsRefused() {
        String cheap = HASH.replace("$12$", "$04$");
        String dear = HASH.replace("$12$", "$20$");
        assertThat(errors(admin("    - { name: a, password-hash: '" + cheap + "' }\n    - { name: b, password-hash: '"
                + dear + "' }"))).containsExactly(
                "node.yaml:5 admin.users[0].password-hash: has bcrypt cost 4, cheap enough to guess offline; use a cost"
                        + " from 10 to 15; make one with: ./foss-infra hash-password (then paste the line it prints, in"
                        + " quotes).",
                "node.yaml:6 admin.users[1].password-hash: has bcrypt cost 20: every login would take 64 s or more of"
                        + " CPU; use a cost from 10 to 15; make one with: ./foss-infra hash-password (then paste the line"
                        + " it prints, in quotes).");
    }

    @Test
    void duplicateAndInvalidNamesAndMissingKeysAreReported() {
        assertThat(errors(admin("""
                    - { name: alice, password-hash: '%s' }
                    - { name: alice, password-hash: '%s' }
                    - { name: "bad name", password-hash: '%s' }
                    - { name: carol }
                    - { name: dave, password: x }
                """.formatted(HASH, HASH, HASH)))).containsExactly(
                "node.yaml:6 admin.users[1].name: duplicate user name 'alice' (first at line 5); give each person"
                        + " their own user, so events name who acted.",
                "node.yaml:7 admin.users[2].name: 'bad name' is not a valid name; use only letters, digits, '_', '.'"
                        + " and '-'.",
                "node.yaml:8 admin.users[3].password-hash: required key is missing; add password-hash: \"<what"
                        + " ./foss-infra hash-password prints>\".",
                "node.yaml:9 admin.users[4].password: unknown key; did you mean 'password-hash'?",
                "node.yaml:9 admin.users[4].password-hash: required key is missing; add password-hash: \"<what"
                        + " ./foss-infra hash-password prints>\".");
    }
}
