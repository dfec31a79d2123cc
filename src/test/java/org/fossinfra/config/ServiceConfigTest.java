package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fossinfra.config.HealthCheckConfig.StatusRanges;
import org.junit.jupiter.api.Test;

/** The {@code services:} section: each type's settings, the defaults, and every error with its exact text. */
class ServiceConfigTest {
    /** Valid; tests append a services: list, whose first item starts on line 10. */
    private static final String BASE = """
            frontends:
              - name: http
                bind: 127.0.0.1:8080
                default-backend: web
            backends:
              - name: web
                servers:
                  - name: web1
                    address: 127.0.0.1:4000
            """;

    private static List<ServiceConfig> services(String yaml, Map<String, String> env) throws Exception {
        return ConfigLoader.parse(BASE + yaml, "demo.yaml", env).services();
    }

    private static List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    private static List<String> errors(String yaml, Map<String, String> env) {
        try {
            ConfigLoader.parse(BASE + yaml, "demo.yaml", env);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::render).toList();
        }
        return fail("expected a ConfigException");
    }

    @Test
    void withoutServicesTheListIsEmpty() throws Exception {
        assertThat(services("", Map.of())).isEmpty();
        assertThat(services("services: []\n", Map.of())).isEmpty();
    }

    @Test
    void everyTypeWithItsDefaults() throws Exception {
        List<ServiceConfig> s = services("""
                services:
                  - name: db
                    type: postgres
                    url: postgresql://foss@db1.example.org/foss
                    password: ${PG_PASSWORD}
                  - name: cache
                    type: redis
                    address: 127.0.0.1:6379
                  - name: synapse
                    type: matrix
                    url: https://matrix.example.org/
                  - name: site
                    type: http
                    url: https://example.org
                    expect-status: 200
                    expect-body: ok
                  - name: ssh
                    type: tcp
                    address: "[::1]:22"
                """, Map.of("PG_PASSWORD", "s3cret-pass"));
        assertThat(s).extracting(ServiceConfig::name).containsExactly("db", "cache", "synapse", "site", "ssh");
        assertThat(s.get(0)).isEqualTo(new ServiceConfig("db",
                new ServiceConfig.Postgres(new HostPort("db1.example.org", 5432), "foss", "foss", Optional.of("s3cret-pass")),
                Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(1), 10, 3));
        assertThat(s.get(0).toString()).doesNotContain("s3cret-pass");
        assertThat(s.get(0).target().describe()).isEqualTo("postgresql://foss@db1.example.org:5432/foss");
        assertThat(s.get(1).target()).isEqualTo(new ServiceConfig.Redis(new HostPort("127.0.0.1", 6379), Optional.empty()));
        assertThat(s.get(2).target()).isEqualTo(new ServiceConfig.Matrix(URI.create("https://matrix.example.org")));
        assertThat(((ServiceConfig.Matrix) s.get(2).target()).versionsUrl())
                .isEqualTo(URI.create("https://matrix.example.org/_matrix/client/versions"));
        assertThat(s.get(3).target()).isEqualTo(new ServiceConfig.Http(URI.create("https://example.org/"),
                new StatusRanges(List.<int[]>of(new int[] {200, 200})), Optional.of("ok")));
        assertThat(s.get(4).target().describe()).isEqualTo("[::1]:22");
        assertThat(s).extracting(ServiceConfig::type).containsExactly("postgres", "redis", "matrix", "http", "tcp");
    }

    @Test
    void shortIntervalShortensTheDefaultTimeoutAndDegradedAfter() throws Exception {
        ServiceConfig c = services("""
                services:
                  - { name: port, type: tcp, address: "127.0.0.1:22", interval: 500ms, window: 2 }
                """, Map.of()).getFirst();
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.degradedAfter()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.unhealthyAfter()).as("the default 3 does not fit a window of 2").isEqualTo(2);
    }

    @Test
    void emptyPasswordMeansNone() throws Exception {
        ServiceConfig c = services("""
                services:
                  - { name: cache, type: redis, address: "127.0.0.1:6379", password: "${REDIS_PASSWORD:-}" }
                """, Map.of()).getFirst();
        assertThat(((ServiceConfig.Redis) c.target()).password()).isEmpty();
    }

    @Test
    void unknownTypeSuggestsTheNearest() {
        assertThat(errors("services:\n  - { name: db, type: postgresql, url: x }\n")).containsExactly(
                "demo.yaml:11 services[0] 'db'.type: unknown service type 'postgresql'; did you mean 'postgres'?"
                        + " Valid: postgres, redis, matrix, http, tcp.");
    }

    @Test
    void missingTypeAndMissingTarget() {
        assertThat(errors("services:\n  - name: db\n  - { name: cache, type: redis }\n")).containsExactly(
                "demo.yaml:11 services[0] 'db'.type: required key is missing;"
                        + " add type: with one of postgres, redis, matrix, http, tcp.",
                "demo.yaml:12 services[1] 'cache'.address: required key is missing; add address: 127.0.0.1:6379.");
    }

    @Test
    void aKeyOfAnotherTypeIsNamedAsSuch() {
        assertThat(errors("services:\n  - { name: db, type: postgres, url: 'postgresql://u@h/d', address: 'h:1' }\n"))
                .containsExactly("demo.yaml:11 services[0] 'db'.address: 'address' is not a setting of a postgres"
                        + " service (it is one of redis, tcp); postgres takes url, password; remove it.");
    }

    @Test
    void unknownKeySuggestsTheNearest() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1', intervall: 5s }\n")).containsExactly(
                "demo.yaml:11 services[0] 'db'.intervall: unknown key; did you mean 'interval'?");
    }

    @Test
    void passwordInAPostgresUrlIsRefusedWithoutEchoingIt() {
        List<String> e = errors("services:\n  - { name: db, type: postgres, url: 'postgresql://foss:hunter2@db1/foss' }\n");
        assertThat(e).containsExactly("demo.yaml:11 services[0] 'db'.url: the URL has a password in it;"
                + " remove it from the URL and write it as password: ${PG_PASSWORD} beside url.");
        assertThat(String.join("", e)).doesNotContain("hunter2");
    }

    @Test
    void badPostgresUrls() {
        assertThat(errors("""
                services:
                  - { name: a, type: postgres, url: 'mysql://foss@db1/foss' }
                  - { name: b, type: postgres, url: 'postgresql://db1/foss' }
                  - { name: c, type: postgres, url: 'postgresql://foss@db1' }
                  - { name: d, type: postgres, url: 'postgresql://foss@db1/foss?sslmode=require' }
                """)).containsExactly(
                "demo.yaml:11 services[0] 'a'.url: 'mysql://foss@db1/foss' is not a postgresql:// URL;"
                        + " write postgresql://foss@127.0.0.1:5432/foss.",
                "demo.yaml:12 services[1] 'b'.url: 'postgresql://db1/foss' names no user;"
                        + " write the user before the host, e.g. postgresql://foss@127.0.0.1:5432/foss.",
                "demo.yaml:13 services[2] 'c'.url: 'postgresql://foss@db1' names no database;"
                        + " write it after the host, e.g. postgresql://foss@127.0.0.1:5432/foss.",
                "demo.yaml:14 services[3] 'd'.url: 'postgresql://foss@db1/foss?sslmode=require' has parameters;"
                        + " remove them: only user, host, port and database are read.");
    }

    @Test
    void badWebUrls() {
        assertThat(errors("""
                services:
                  - { name: a, type: matrix, url: 'https://matrix.example.org/_matrix/client/versions' }
                  - { name: b, type: http, url: 'ftp://example.org/' }
                  - { name: c, type: http, url: 'https://admin:pw@example.org/health' }
                """)).containsExactly(
                "demo.yaml:11 services[0] 'a'.url: 'https://matrix.example.org/_matrix/client/versions' already has"
                        + " the API path; write the homeserver's base URL, e.g. https://matrix.example.org;"
                        + " the check adds /_matrix/client/versions.",
                "demo.yaml:12 services[1] 'b'.url: 'ftp://example.org/' is not an http:// or https:// URL;"
                        + " write e.g. http://127.0.0.1:8080/health.",
                "demo.yaml:13 services[2] 'c'.url: the URL has credentials in it;"
                        + " they would show in the API and in events; check an endpoint that needs none.");
    }

    @Test
    void timeoutLongerThanInterval() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1', interval: 1s, timeout: 3s }\n"))
                .containsExactly("demo.yaml:11 services[0] 'db'.timeout: timeout 3s is longer than interval 1s,"
                        + " so a check would overlap the next; use a timeout of 1s or less, or a longer interval.");
    }

    @Test
    void degradedAfterNotBelowTimeout() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1', timeout: 1s, degraded-after: 1s }\n"))
                .containsExactly("demo.yaml:11 services[0] 'db'.degraded-after: degraded-after 1s is not below"
                        + " timeout 1s, so no passing check could count as slow; use less than 1s, or a longer timeout.");
    }

    @Test
    void unhealthyAfterAboveWindow() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1', window: 5, unhealthy-after: 6 }\n"))
                .containsExactly("demo.yaml:11 services[0] 'db'.unhealthy-after: unhealthy-after 6 is above window 5,"
                        + " which holds the checks it counts; use a value from 1 to 5, or a larger window.");
    }

    @Test
    void outOfRangeNumbersAndDurations() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1', interval: 50ms, window: 0 }\n"))
                .containsExactly(
                        "demo.yaml:11 services[0] 'db'.interval: 50ms is below 100ms; use 100ms or more.",
                        "demo.yaml:11 services[0] 'db'.window: 0 is below 1; use a value from 1 to 100.");
    }

    @Test
    void badExpectStatusAndEmptyExpectBody() {
        assertThat(errors("services:\n  - { name: s, type: http, url: 'http://h/', expect-status: 2x, expect-body: '' }\n"))
                .containsExactly(
                        "demo.yaml:11 services[0] 's'.expect-status: expected a status, a class or a range, found '2x';"
                                + " write e.g. 200, 2xx or 200-399.",
                        "demo.yaml:11 services[0] 's'.expect-body: is empty;"
                                + " write text the body must contain, or remove the key.");
    }

    @Test
    void duplicateServiceNames() {
        assertThat(errors("services:\n  - { name: db, type: tcp, address: 'h:1' }\n  - { name: db, type: tcp, address: 'h:2' }\n"))
                .containsExactly("demo.yaml:12 services[1] 'db'.name: duplicate service name 'db' (first at line 11);"
                        + " give each service its own name.");
    }

    @Test
    void servicesMustBeAList() {
        assertThat(errors("services:\n  db: { type: tcp }\n")).containsExactly(
                "demo.yaml:11 services: expected a list, found a mapping; start each item on its own line with '- '.");
    }

    @Test
    void recordsRefuseWhatTheReaderRefuses() {
        ServiceConfig.Target t = new ServiceConfig.Tcp(new HostPort("h", 1));
        assertThatThrownBy(() -> new ServiceConfig("x", t, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofMillis(500), 10, 3)).hasMessage("timeout: PT2S (expected: at most interval PT1S)");
        assertThatThrownBy(() -> new ServiceConfig("x", t, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 10, 3)).hasMessage("degradedAfter: PT1S (expected: below timeout PT1S)");
        assertThatThrownBy(() -> new ServiceConfig("x", t, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(500), 10, 11)).hasMessage("unhealthyAfter: 11 (expected: 1..10)");
        assertThatThrownBy(() -> new ServiceConfig.Matrix(URI.create("ftp://x"))).hasMessage(
                "baseUrl: ftp://x (expected: an http:// or https:// URL with a host)");
    }

    @Test
    void demoConfigWatchesServicesThatAreUpAndOneThatIsDown() throws Exception {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/demo/demo.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Config c = ConfigLoader.parse(yaml, "demo.yaml", Map.of("FOSS_ADMIN_TOKEN", "demo-test-token-0123456789"));
        assertThat(c.services()).extracting(ServiceConfig::type).contains("http", "tcp", "postgres");
        assertThat(c.services()).allSatisfy(s -> assertThat(s.interval()).isLessThanOrEqualTo(Duration.ofSeconds(5)));
    }
}
