package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.fossinfra.testing.Eventually;
import org.fossinfra.testing.services.RealMatrix;
import org.fossinfra.testing.services.SynapseUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Matrix page in a real browser (Debian's headless Chromium) against a node whose bot is in an ops room on the
 * real Synapse of the test run: it shows the bot connected, and what a person says in the room appears on the open
 * page within seconds, over the page's live stream, without a reload.
 */
class MatrixPageBrowserTest {
    @TempDir
    Path dir;
    private DashboardFixture f;
    private Browser browser;
    private final String tag = Long.toString(System.nanoTime(), 36);

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void thePageShowsTheBotConnectedAndARoomMessageArrivesLive() throws Exception {
        f = DashboardFixture.start(dir, """
                database:
                  enabled: false
                matrix:
                  homeserver: ${MATRIX_URL}
                  user: "${BOT_USER}"
                  password: ${BOT_PASSWORD}
                  room: "#page-%s:%s"
                  operators: ["%s"]
                  group-window: 200ms
                  send-interval: 50ms
                  send-burst: 20
                """.formatted(tag, RealMatrix.serverName(), RealMatrix.opsUser()), Map.of(
                "MATRIX_URL", RealMatrix.url(), "BOT_USER", RealMatrix.botUser(),
                "BOT_PASSWORD", RealMatrix.botPassword()));
        browser = Browser.start(Files.createTempDirectory(dir, "profile"), f.base());
        browser.signIn(DashboardFixture.USER, DashboardFixture.PASSWORD, "/matrix");

        // The page may load before the bot is in the room: then "connected" comes over the live stream. (The badge
        // shows it in capitals, by CSS; the text is lower case.) Joining a room on Synapse can take a while.
        browser.until(Duration.ofSeconds(60), "see the bot connected", d ->
                "connected".equals(browser.text("#matrix-connection")));
        String room = f.node.matrix().orElseThrow().status().roomId().orElseThrow();
        assertThat(browser.text("#matrix-room")).isEqualTo(room);
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(Duration.ofSeconds(60), "the operator's invite", () -> ops.tryJoin(room));

        String said = "hello from the ops room " + tag;
        ops.say(room, said);
        long saidAt = System.nanoTime();

        browser.until(Duration.ofSeconds(10), "see the operator's message arrive live", d ->
                String.valueOf(browser.text("#matrix-messages")).contains(said));
        assertThat(Duration.ofNanos(System.nanoTime() - saidAt)).isLessThan(Duration.ofSeconds(10));
        assertThat(browser.text("#matrix-messages")).contains(RealMatrix.opsUser());
        // The bot's own side of the conversation is there too: its node.start notification.
        assertThat(browser.text("#matrix-messages")).contains("started");
        // A picture of the page, beside DashboardScreenshotsTest's (-Dscreenshots=docs/screenshots refreshes the docs').
        Path out = Path.of(System.getProperty("screenshots", "target/screenshots"));
        Files.createDirectories(out);
        Files.write(out.resolve("matrix.png"), browser.screenshot());
    }
}
