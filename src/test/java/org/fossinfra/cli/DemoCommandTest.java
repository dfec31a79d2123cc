package org.fossinfra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** The demo's config ships no secret: its admin token is the environment's or a random one written into its copy. */
class DemoCommandTest {
    @Test
    void theDemoConfigTakesARandomTokenWhenNoneIsGivenAndHasNoSecretDefault() throws Exception {
        String yaml;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/demo.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String a = DemoCommand.randomToken();
        String b = DemoCommand.randomToken();
        assertThat(a).matches("[0-9a-f]{32}").isNotEqualTo(b);

        // With nothing in the environment: the copy the demo writes reads, with the random token.
        Config c = ConfigLoader.parse(DemoCommand.withToken(yaml, a), "data/demo.yaml", Map.of());
        assertThat(c.admin().orElseThrow().tokens().getFirst().secret()).isEqualTo(a);
        // With FOSS_ADMIN_TOKEN set, the file as shipped reads too (a secret default would have been refused).
        Config fromEnv = ConfigLoader.parse(yaml, "data/demo.yaml", Map.of("FOSS_ADMIN_TOKEN", b));
        assertThat(fromEnv.admin().orElseThrow().tokens().getFirst().secret()).isEqualTo(b);
    }
}
