package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Matrix page over plain HTTP: what it says without a {@code matrix:} section, and with a homeserver that is not
 * there (nothing listens on its port), while the proxy and the other pages go on as if nothing were wrong. The page
 * against the real Synapse, live in a browser, is {@link MatrixPageBrowserTest}.
 */
class MatrixPageTest {
    @TempDir
    Path dir;
    private DashboardFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void withoutAMatrixSectionThePageSaysMatrixIsNotConfigured() throws Exception {
        f = DashboardFixture.start(dir, """
                database:
                  enabled: false
                """, Map.of());
        DashboardClient c = new DashboardClient(f.base());
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);

        HttpResponse<String> page = c.get("/matrix", cookie);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Matrix not configured").contains("sse-connect=\"/stream/matrix\"")
                .contains("<a href=\"/matrix\" class=\"on\">Matrix</a>");
        assertThat(c.get("/", cookie).body()).contains("<a href=\"/matrix\">Matrix</a>");
        assertThat(c.get("/matrix", null).statusCode()).isEqualTo(302);
    }

    @Test
    void aHomeserverThatIsNotThereShowsAsRetryingWhileTrafficAndPagesGoOn() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort(); // closed again: connections to it are refused
        }
        f = DashboardFixture.start(dir, """
                database:
                  enabled: false
                matrix:
                  homeserver: http://127.0.0.1:%d
                  user: "@foss-bot:example.org"
                  password: ${BOT_PASSWORD}
                  max-backoff: 1s
                """.formatted(dead), Map.of("BOT_PASSWORD", "not-used-0123456789"));
        DashboardClient c = new DashboardClient(f.base());
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);

        Eventually.until(Duration.ofSeconds(30), "the Matrix page to show the bot retrying", () -> {
            try {
                String body = c.get("/matrix", cookie).body();
                return body.contains("id=\"matrix-connection\">retrying<") && body.contains("POST /login");
            } catch (Exception e) {
                return false;
            }
        });
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 20; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.proxyPort()
                    + "/")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        }
        long start = System.nanoTime();
        assertThat(c.get("/", cookie).statusCode()).isEqualTo(200);
        assertThat(c.get("/matrix", cookie).body()).contains("http://127.0.0.1:" + dead)
                .contains("Waiting to be posted");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
}
