package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.fossinfra.balance.AdminState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Screenshots of every page at laptop size (1440×900) with traffic flowing, into target/screenshots, or into the
 * directory named by {@code -Dscreenshots=...}: {@code ./run-tests -Dtest=DashboardScreenshotsTest
 * -Dscreenshots=docs/screenshots} refreshes the ones in the README.
 */
class DashboardScreenshotsTest {
    /** Chart points of traffic before the overview is taken (one a second), so that its charts have a history. */
    private static final int WARM_UP_POINTS = 40;

    @Test
    void everyPageIsCapturedAtLaptopSize(@TempDir Path dir) throws Exception {
        Path out = Path.of(System.getProperty("screenshots", "target/screenshots"));
        Files.createDirectories(out);
        try (DashboardFixture f = DashboardFixture.start(dir); DashboardFixture.Load load = f.load(6);
                Browser browser = Browser.start(Files.createTempDirectory(dir, "profile"), f.base())) {
            browser.open("/login");
            browser.type("type the user name", By.id("user"), DashboardFixture.USER);
            save(browser, out.resolve("login.png"));

            f.node.control().setState("api:ops", "web", "web3", AdminState.MAINT);
            f.node.control().setWeight("api:ops", "web", "web2", 5);
            browser.type("type the password", By.id("password"), DashboardFixture.PASSWORD);
            browser.click("press Sign in", By.id("sign-in"));
            browser.until("arrive at the overview", d -> d.getCurrentUrl().equals(f.base() + "/"));
            browser.awaitLive();
            // Count the points the charts take from the stream, and wait for enough of them (a second each; on a busy
            // machine a tick can be skipped, so counted rather than slept).
            browser.script("window.chartPoints = 0; document.getElementById('chart-feed')"
                    + ".addEventListener('htmx:sseMessage', function () { window.chartPoints++; });");
            browser.until(Duration.ofSeconds(WARM_UP_POINTS * 3L), WARM_UP_POINTS + " chart points of traffic", d ->
                    ((Number) browser.script("return window.chartPoints")).intValue() >= WARM_UP_POINTS);
            save(browser, out.resolve("overview.png"));

            for (String page : new String[] {"backends", "events", "host", "database"}) {
                browser.open("/" + page);
                browser.awaitLive(); // the parts show the stream's view, rates of a whole second
                save(browser, out.resolve(page + ".png"));
            }
            assertThat(load.sent.get()).isPositive();
        }
        for (String page : new String[] {"login", "overview", "backends", "events", "host", "database"}) {
            BufferedImage img = ImageIO.read(out.resolve(page + ".png").toFile());
            assertThat(img.getWidth()).as(page).isEqualTo(1440);
            assertThat(img.getHeight()).as(page).isEqualTo(900);
        }
    }

    private static void save(Browser browser, Path file) throws Exception {
        byte[] png = browser.screenshot();
        assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
        Files.write(file, png);
    }
}
