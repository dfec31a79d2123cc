package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.fossinfra.balance.Algorithm;
import org.junit.jupiter.api.Test;

/** The complete example in docs/config.md must stay a valid configuration. */
class ConfigDocsTest {
    private static final Path DOC = Path.of("docs/config.md");

    @Test
    void completeExampleInTheDocsIsValid() throws Exception {
        assumeTrue(Files.exists(DOC), "run from the project directory");
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int section = doc.indexOf("## Complete example");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));

        Config c = ConfigLoader.parse(yaml, "foss-infra.yaml", Map.of("FOSS_ADMIN_TOKEN", "a-long-enough-secret-value",
                "FOSS_PG_PASSWORD", "pg-secret"));

        assertThat(c.admin().orElseThrow().users()).extracting(AdminConfig.User::name).containsExactly("alice");
        FrontendConfig f = c.frontends().getFirst();
        assertThat(f.responseHeaders()).containsEntry("X-XSS-Protection", "1; mode=block");
        assertThat(f.routes()).extracting(RouteConfig::backend).containsExactly("ws", "matrix", "api");
        assertThat(f.defaultBackend()).isEqualTo("web");
        assertThat(f.forwardedFor()).isEqualTo(FrontendConfig.ForwardedFor.REPLACE);
        assertThat(f.trustedProxies()).containsExactly(Cidr.parse("127.0.0.0/8"));
        assertThat(c.backends()).extracting(BackendConfig::name, BackendConfig::balance).containsExactly(
                tuple("web", Algorithm.LEAST_CONNECTIONS),
                tuple("ws", Algorithm.SOURCE),
                tuple("matrix", Algorithm.SOURCE),
                tuple("api", Algorithm.ROUND_ROBIN));
        assertThat(c.backend("web").orElseThrow().servers()).filteredOn(BackendConfig.ServerConfig::backup).hasSize(2);
        assertThat(c.services()).extracting(ServiceConfig::name, ServiceConfig::type).containsExactly(
                tuple("postgres", "postgres"),
                tuple("redis", "redis"),
                tuple("synapse", "matrix"),
                tuple("public-site", "http"),
                tuple("ssh", "tcp"));
        assertThat(c.rateLimits()).extracting(RateLimitConfig::name, RateLimitConfig::store)
                .containsExactly(tuple("api-per-client", RateLimitConfig.Store.REDIS));
        assertThat(c.backend("api").orElseThrow().rateLimits()).containsExactly("api-per-client");
        assertThat(c.redis()).isPresent();
        assertThat(c.database().target()).isInstanceOfSatisfying(DatabaseConfig.External.class,
                x -> assertThat(x.password()).hasValue("pg-secret"));
    }
}
