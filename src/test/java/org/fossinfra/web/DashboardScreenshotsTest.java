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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Screenshots of every page at laptop size (1440×900) with traffic flowing, into target/screenshots, or into the
 * directory named by {@code -Dscreenshots=...}: {@code ./run-tests -Dtest=DashboardScreenshotsTest
 * -Dscreenshots=docs/screenshots} refreshes the ones in the README.
 */
class DashboardScreenshotsTest {
    /** Seconds of traffic before the overview is taken, so that its charts have a history to show. */
    private static final int WARM_UP_SECONDS = 40;

    @Test
    void everyPageIsCapturedAtLaptopSize(@TempDir Path dir) throws Exception {
        Path out = Path.of(System.getProperty("screenshots", "target/screenshots"));
        Files.createDirectories(out);
        try (DashboardFixture f = DashboardFixture.start(dir); DashboardFixture.Load load = f.load(6)) {
            ChromeDriver browser = Browser.start(Files.createTempDirectory(dir, "profile"));
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
                browser.get(f.base() + "/login");
                browser.findElement(By.id("user")).sendKeys(DashboardFixture.USER);
                save(browser, out.resolve("login.png"));

                f.node.control().setState("api:ops", "web", "web3", AdminState.MAINT);
                f.node.control().setWeight("api:ops", "web", "web2", 5);
                browser.findElement(By.id("password")).sendKeys(DashboardFixture.PASSWORD);
                browser.findElement(By.id("sign-in")).click();
                wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
                Thread.sleep(WARM_UP_SECONDS * 1000L);
                save(browser, out.resolve("overview.png"));

                for (String page : new String[] {"backends", "events", "host", "database"}) {
                    browser.get(f.base() + "/" + page);
                    wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
                    Thread.sleep(1500); // a tick or two, so rates are those of a full second
                    save(browser, out.resolve(page + ".png"));
                }
                assertThat(load.sent.get()).isPositive();
            } finally {
                browser.quit();
            }
        }
        for (String page : new String[] {"login", "overview", "backends", "events", "host", "database"}) {
            BufferedImage img = ImageIO.read(out.resolve(page + ".png").toFile());
            assertThat(img.getWidth()).as(page).isEqualTo(1440);
            assertThat(img.getHeight()).as(page).isEqualTo(900);
        }
    }

    private static void save(ChromeDriver browser, Path file) throws Exception {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        assertThat(ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
        Files.write(file, png);
    }
}
