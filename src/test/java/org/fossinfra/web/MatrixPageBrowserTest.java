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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Matrix page in a real browser (Debian's headless Chromium) against a node whose bot is in an ops room on the
 * real Synapse of the test run: it shows the bot connected, and what a person says in the room appears on the open
 * page within seconds, over the page's live stream, without a reload.
 */
class MatrixPageBrowserTest {
    @TempDir
    Path dir;
    private DashboardFixture f;
    private ChromeDriver browser;
    private final String tag = Long.toString(System.nanoTime(), 36);

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (f != null) {
            f.close();
        }
    }

    /** An element's text, read in one script: the live parts are swapped every second, so no find-then-read. */
    private String text(String id) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "var e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id);
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
        browser = Browser.start(Files.createTempDirectory(dir, "profile"));
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.ignoring(StaleElementReferenceException.class); // the parts are swapped every second
        browser.get(f.base() + "/login?next=%2Fmatrix");
        browser.findElement(By.id("user")).sendKeys(DashboardFixture.USER);
        browser.findElement(By.id("password")).sendKeys(DashboardFixture.PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.urlContains("/matrix"));
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));

        // The page may load before the bot is in the room: then "connected" comes over the live stream. (The badge
        // shows it in capitals, by CSS; the text is lower case.)
        wait.until(ExpectedConditions.attributeToBe(By.id("matrix-connection"), "textContent", "connected"));
        String room = f.node.matrix().orElseThrow().status().roomId().orElseThrow();
        assertThat(text("matrix-room")).isEqualTo(room);
        SynapseUser ops = RealMatrix.ops();
        Eventually.until(Duration.ofSeconds(60), "the operator's invite", () -> ops.tryJoin(room));

        String said = "hello from the ops room " + tag;
        ops.say(room, said);
        long saidAt = System.nanoTime();

        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBePresentInElementLocated(By.id("matrix-messages"), said));
        assertThat(Duration.ofNanos(System.nanoTime() - saidAt)).isLessThan(Duration.ofSeconds(10));
        assertThat(text("matrix-messages")).contains(RealMatrix.opsUser());
        // The bot's own side of the conversation is there too: its node.start notification.
        assertThat(text("matrix-messages")).contains("started");
        // A picture of the page, beside DashboardScreenshotsTest's (-Dscreenshots=docs/screenshots refreshes the docs').
        Path out = Path.of(System.getProperty("screenshots", "target/screenshots"));
        Files.createDirectories(out);
        Files.write(out.resolve("matrix.png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
