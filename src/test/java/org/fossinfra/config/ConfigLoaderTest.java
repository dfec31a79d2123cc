package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fossinfra.balance.Algorithm;
import org.fossinfra.config.BackendConfig.ServerConfig;
import org.fossinfra.config.RouteConfig.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Map<String, String> ENV = Map.of("FOSS_ADMIN_TOKEN", "0123456789abcdef0123");

    private static String resource(String name) throws IOException, URISyntaxException {
        return Files.readString(resourcePath(name), StandardCharsets.UTF_8);
    }

    private static Path resourcePath(String name) throws URISyntaxException {
        return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
    }

    private static Config full() throws Exception {
        return ConfigLoader.parse(resource("full.yaml"), "/etc/foss-infra/full.yaml", ENV);
    }

    @Test
    void fullConfigReadsNodeAdminAndSource() throws Exception {
        Config c = full();
        assertThat(c.source()).isEqualTo(Path.of("/etc/foss-infra/full.yaml"));
        assertThat(c.node()).isEqualTo(new NodeConfig("node-1", Path.of("/etc/foss-infra/data")));
        AdminConfig admin = c.admin().orElseThrow();
        assertThat(admin.bind()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(admin.tokens()).containsExactly(
                new AdminConfig.Token("ops", "0123456789abcdef0123"),
                new AdminConfig.Token("deploy", "deploy-token-0123456789abcdef"));
    }

    @Test
    void fullConfigReadsFrontendWithRoutesHeadersAndResolvedTimeouts() throws Exception {
        FrontendConfig f = full().frontend("https_front").orElseThrow();
        assertThat(f.bind()).isEqualTo(new HostPort("0.0.0.0", 443));
        assertThat(f.line()).isEqualTo(30);
        assertThat(f.maxconn()).isEqualTo(50000);
        assertThat(f.defaultBackend()).isEqualTo("web");
        assertThat(f.forwardedFor()).isEqualTo(FrontendConfig.ForwardedFor.REPLACE); // the default: an edge's choice
        assertThat(f.forwardedProto()).isTrue();
        assertThat(f.trustedProxies()).isEmpty();
        assertThat(f.responseHeaders()).containsExactly(
                Map.entry("X-Frame-Options", "DENY"),
                Map.entry("X-Content-Type-Options", "nosniff"),
                Map.entry("X-XSS-Protection", "1; mode=block"),
                Map.entry("Referrer-Policy", "strict-origin-when-cross-origin"),
                Map.entry("X-Template", "${literal}"));
        assertThat(f.routes()).containsExactly(
                new RouteConfig("ws", List.of(new Condition.WebSocket(),
                        new Condition.PathPrefix(List.of("/socket", "/live"))), 40),
                new RouteConfig("matrix", List.of(new Condition.PathPrefix(List.of("/_matrix", "/_synapse"))), 44),
                new RouteConfig("api", List.of(new Condition.PathPrefix(List.of("/api")),
                        new Condition.Host(List.of("example.com", "*.example.com")),
                        new Condition.HeaderEquals("X-Canary", "1")), 47));
        assertThat(f.limits()).isEqualTo(new FrontendConfig.Limits(16 * 1024, 32 * 1024, 200));
        // client and http-request overridden here; the rest from the top-level timeouts.
        assertThat(f.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofHours(1),
                Duration.ofSeconds(10)));
    }

    @Test
    void fullConfigReadsBackendsWithServersChecksAndDefaults() throws Exception {
        Config c = full();
        assertThat(c.backends()).extracting(BackendConfig::name).containsExactly("web", "ws", "matrix", "api");
        BackendConfig web = c.backend("web").orElseThrow();
        assertThat(web.balance()).isEqualTo(Algorithm.LEAST_CONNECTIONS);
        assertThat(web.line()).isEqualTo(59);
        assertThat(web.servers()).containsExactly(
                new ServerConfig("phoenix1", new HostPort("127.0.0.1", 4000), 100, 1000, false, 66),
                new ServerConfig("phoenix2", new HostPort("127.0.0.1", 4001), 100, 1000, false, 67),
                new ServerConfig("phoenix3", new HostPort("cloud1.1984.is", 4000), 50, 500, true, 68),
                new ServerConfig("phoenix4", new HostPort("cloud2.1984.is", 4000), 50, 500, true, 69));
        HealthCheckConfig check = web.healthCheck().orElseThrow();
        // method and expect-status written here, the rest merged from the x-health anchor.
        assertThat(check).isEqualTo(new HealthCheckConfig("HEAD", "/health", null,
                new HealthCheckConfig.StatusRanges(List.of(new int[] {200, 299}, new int[] {301, 302})),
                Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        assertThat(web.retries()).isEqualTo(3);
        assertThat(web.redispatch()).isTrue();
        assertThat(web.queueSize()).isEqualTo(1000);
        assertThat(web.pool()).isEqualTo(BackendConfig.PoolConfig.DEFAULTS);
        assertThat(web.timeouts()).isEqualTo(new Timeouts(Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofHours(1),
                Duration.ofSeconds(10)));

        BackendConfig ws = c.backend("ws").orElseThrow();
        assertThat(ws.balance()).isEqualTo(Algorithm.SOURCE);
        assertThat(ws.healthCheck().orElseThrow().method()).isEqualTo("GET");
        assertThat(ws.healthCheck().orElseThrow().expect().matches(399)).isTrue();
        assertThat(ws.healthCheck().orElseThrow().expect().matches(400)).isFalse();

        BackendConfig matrix = c.backend("matrix").orElseThrow();
        assertThat(matrix.timeouts().server()).isEqualTo(Duration.ofSeconds(300));
        assertThat(matrix.timeouts().tunnel()).isEqualTo(Duration.ofHours(1));
        assertThat(matrix.timeouts().connect()).isEqualTo(Duration.ofSeconds(10));

        BackendConfig api = c.backend("api").orElseThrow();
        assertThat(api.balance()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(api.healthCheck()).isEmpty();
        assertThat(api.retries()).isEqualTo(2);
        assertThat(api.redispatch()).isFalse();
        assertThat(api.queueSize()).isZero();
        assertThat(api.pool()).isEqualTo(new BackendConfig.PoolConfig(16, Duration.ofSeconds(30)));
    }

    @Test
    void minimalConfigGetsEveryDefault() throws Exception {
        Config c = ConfigLoader.parse("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    default-backend: web
                backends:
                  - name: web
                    servers:
                      - name: web1
                        address: localhost:4000
                """, "conf/minimal.yaml", Map.of());
        assertThat(c.admin()).isEmpty();
        assertThat(c.node().name()).isNotBlank();
        assertThat(c.node().dataDir()).isEqualTo(Path.of("conf/data").toAbsolutePath().normalize());
        FrontendConfig f = c.frontends().getFirst();
        assertThat(f.timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(f.limits()).isEqualTo(FrontendConfig.Limits.DEFAULTS);
        assertThat(f.routes()).isEmpty();
        assertThat(f.responseHeaders()).isEmpty();
        assertThat(f.maxconn()).isZero();
        BackendConfig b = c.backends().getFirst();
        assertThat(b.balance()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(b.healthCheck()).isEmpty();
        assertThat(b.timeouts()).isEqualTo(Timeouts.DEFAULTS);
        assertThat(b.servers()).containsExactly(new ServerConfig("web1", new HostPort("localhost", 4000), 1, 0, false, 8));
    }

    @Test
    void healthCheckDefaultsApplyToAnEmptyishCheck() throws Exception {
        Config c = ConfigLoader.parse("""
                frontends: [{ name: http, bind: "*:0", default-backend: web }]
                backends:
                  - name: web
                    health-check: { rise: 1 }
                    servers: [{ name: web1, address: "[::1]:4000" }]
                """, "x.yaml", Map.of());
        BackendConfig b = c.backends().getFirst();
        assertThat(b.servers().getFirst().address()).isEqualTo(new HostPort("::1", 4000));
        assertThat(b.healthCheck()).contains(new HealthCheckConfig("GET", "/health", null,
                new HealthCheckConfig.StatusRanges(List.of(new int[] {200, 399})), Duration.ofSeconds(2),
                Duration.ofSeconds(1), 1, 3));
    }

    @Test
    void envDefaultIsUsedWhenUnsetOrEmptyButPlainReferenceKeepsEmptyValue() throws Exception {
        String yaml = """
                frontends:
                  - name: http
                    bind: ${BIND_HOST:-127.0.0.1}:${BIND_PORT:-8080}
                    default-backend: web
                    response-headers:
                      X-Empty: "[${EMPTY}]"
                      X-Both: "${A:-a}-${B:-b}"
                backends:
                  - name: web
                    servers: [{ name: web1, address: "127.0.0.1:${PORT}", weight: "${WEIGHT:-7}" }]
                """;
        Config c = ConfigLoader.parse(yaml, "env.yaml", Map.of("BIND_PORT", "", "EMPTY", "", "B", "set", "PORT", "4000"));
        FrontendConfig f = c.frontends().getFirst();
        assertThat(f.bind()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(f.responseHeaders()).containsEntry("X-Empty", "[]").containsEntry("X-Both", "a-set");
        assertThat(c.backends().getFirst().servers().getFirst())
                .extracting(ServerConfig::address, ServerConfig::weight)
                .containsExactly(new HostPort("127.0.0.1", 4000), 7);
    }

    @Test
    void dollarDollarBraceIsALiteral() throws Exception {
        Config c = ConfigLoader.parse("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:8080
                    default-backend: web
                    response-headers: { X-Tpl: "$${HOME} and $$ and $HOME" }
                backends: [{ name: web, servers: [{ name: w, address: "h:1" }] }]
                """, "x.yaml", Map.of("HOME", "/root"));
        assertThat(c.frontends().getFirst().responseHeaders()).containsEntry("X-Tpl", "${HOME} and $$ and $HOME");
    }

    @Test
    void loadReadsAFileAndKeepsThePathGiven() throws Exception {
        Path file = resourcePath("full.yaml");
        // load() reads the real environment, where FOSS_ADMIN_TOKEN is normally unset.
        if (System.getenv("FOSS_ADMIN_TOKEN") == null) {
            assertThatThrownBy(() -> ConfigLoader.load(file))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("1 error in " + file + ":\n" + file
                            + ":10 admin.tokens[0].secret: environment variable FOSS_ADMIN_TOKEN is not set;"
                            + " export it before starting the node (a secret has no default: one written here would"
                            + " ship a known password).");
        } else {
            assertThat(ConfigLoader.load(file).source()).isEqualTo(file);
        }
    }

    @Test
    void loadResolvesDataDirAgainstTheConfigDirectory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("foss.yaml");
        Files.writeString(file, """
                node: { data-dir: state/here }
                frontends: [{ name: http, bind: "127.0.0.1:0", default-backend: web }]
                backends: [{ name: web, servers: [{ name: w, address: "h:1" }] }]
                """);
        Config c = ConfigLoader.load(file);
        assertThat(c.source()).isEqualTo(file);
        assertThat(c.node().dataDir()).isEqualTo(dir.resolve("state/here"));
    }

    @Test
    void loadReportsAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage("1 error in " + file + ":\n" + file + ": no such file; check the path given with -c.");
    }

    @Test
    void tokenSecretIsNotPrinted() throws Exception {
        Config c = full();
        assertThat(c.admin().orElseThrow().toString()).doesNotContain("0123456789abcdef0123");
    }
}
