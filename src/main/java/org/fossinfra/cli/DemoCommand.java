package org.fossinfra.cli;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.fossinfra.app.Node;
import org.fossinfra.config.Config;
import org.fossinfra.config.ConfigException;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.demo.DemoBackends;
import org.fossinfra.config.Passwords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts three demo servers and a node in front of them with a config mirroring the seed's haproxy.cfg, all on
 * loopback, and prints what to try.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a demo: three demo backends and the load balancer in front of them, on loopback.")
final class DemoCommand implements Callable<Integer> {
    /** The demo dashboard user's password, documented in the README; demo.yaml holds its bcrypt hash. */
    static final String DEMO_PASSWORD = "foss-demo-admin";
    static final String DEMO_PASSWORD_HASH = "$2b$12$mYe49OXpckDZFt3akPKlcut9ygarR8tWVEUcfE2kADM/n5Tt0tmlu";

    /** The reference the demo's config takes its admin token from. */
    static final String TOKEN_REFERENCE = "${FOSS_ADMIN_TOKEN}";

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "where the demo writes its config (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(dataDir);
        Path configFile = dataDir.resolve("demo.yaml");
        String yaml;
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/demo.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The dashboard user's password: the documented demo one, or $FOSS_DEMO_PASSWORD hashed now (about 0.3 s).
        String password = System.getenv("FOSS_DEMO_PASSWORD");
        boolean ownPassword = password != null && !password.isEmpty();
        if (ownPassword) {
            try {
                yaml = yaml.replace(DEMO_PASSWORD_HASH, Passwords.hash(password.toCharArray()));
            } catch (IllegalArgumentException e) {
                System.err.println("foss-infra demo: FOSS_DEMO_PASSWORD: " + e.getMessage());
                return 2;
            }
        }
        // The admin token: $FOSS_ADMIN_TOKEN, or a random one written into this copy (printed below). The config
        // refuses a default for a secret, so the demo cannot ship a token everyone knows.
        String envToken = System.getenv("FOSS_ADMIN_TOKEN");
        if (envToken == null || envToken.isEmpty()) {
            yaml = withToken(yaml, randomToken());
        }
        Files.writeString(configFile, yaml, StandardCharsets.UTF_8);
        Config config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Vertx backendsVertx = Vertx.vertx();
        DemoBackends backends;
        try {
            backends = DemoBackends.start(backendsVertx, "127.0.0.1", 18081).await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("foss-infra demo: " + Banner.rootMessage(e));
            backendsVertx.close();
            return 1;
        }
        Node node;
        try {
            node = Node.start(config, configFile);
        } catch (Exception e) {
            System.err.println("foss-infra demo: " + Banner.rootMessage(e));
            backendsVertx.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            backendsVertx.close();
            System.out.println("foss-infra demo stopped.");
        }, "shutdown"));
        long started = Startup.millisSinceJvmStart();
        String token = config.admin().orElseThrow().tokens().get(0).secret();
        String http = "http://" + config.frontends().get(0).bind();
        String admin = "http://127.0.0.1:" + node.admin().orElseThrow().port();
        StringBuilder sb = new StringBuilder(Banner.node(node, started));
        sb.append("  dashboard      ").append(admin).append("/   user admin, password ")
          .append(ownPassword ? "from $FOSS_DEMO_PASSWORD" : DEMO_PASSWORD).append('\n');
        sb.append("\n  demo servers:\n");
        for (DemoBackends.Backend b : backends.backends()) {
            sb.append(String.format("    %-6s 127.0.0.1:%d  %s%n", b.name(), b.port(), b.behaviour()));
        }
        sb.append("\n  try:\n")
          .append("    curl -i ").append(http).append("/                 web pool: leastconn over fast and slow, flaky as backup\n")
          .append("    curl -s ").append(http).append("/api/hello        api pool: roundrobin over fast and flaky\n")
          .append("    WebSocket ").append(http.replace("http", "ws")).append("/socket   source-hashed to fast or slow\n")
          .append("    curl -s ").append(http).append("/_matrix/client/versions   matrix route: to a Synapse on :8008 (503 while none runs)\n")
          .append("    curl -s -H 'Authorization: Bearer ").append(token).append("' ").append(admin).append("/api/backends\n")
          .append("    curl -s -X PUT -H 'Authorization: Bearer ").append(token).append("' -d '{\"state\":\"drain\"}' ")
          .append(admin).append("/api/backends/web/servers/web2/state\n")
          .append("    curl -s -H 'Authorization: Bearer ").append(token).append("' ").append(admin)
          .append("/api/services   watched services: three up, postgres down\n")
          .append("    curl -s -H 'Authorization: Bearer ").append(token).append("' ").append(admin).append("/api/events\n")
          .append("  config: ").append(configFile).append(" (edit it, then POST ").append(admin).append("/api/reload)\n")
          .append("  Ctrl-C stops everything.\n");
        System.out.println(sb);
        Main.keepRunning = true;
        return 0;
    }

    /** The demo config with {@code token} written in place of {@code ${FOSS_ADMIN_TOKEN}}. */
    static String withToken(String yaml, String token) {
        if (!yaml.contains(TOKEN_REFERENCE)) {
            throw new IllegalStateException("demo.yaml no longer takes its token from " + TOKEN_REFERENCE);
        }
        return yaml.replace(TOKEN_REFERENCE, token);
    }

    /** 128 random bits as hex: the demo's admin token when none is given. */
    static String randomToken() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }
}
