package org.fossinfra.web;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through Debian's chromium-driver, both at fixed paths, so Selenium never looks for (or
 * downloads) a browser or a driver. A fresh profile each time: no cookies carried between tests. 1440×900, a laptop.
 */
final class Browser {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";

    private Browser() {
    }

    static ChromeDriver start(Path profile) {
        for (String path : new String[] {CHROMIUM, DRIVER}) {
            if (!Files.isExecutable(Path.of(path))) {
                throw new AssertionError(path + " is missing: the browser tests need Debian's chromium and"
                        + " chromium-driver; run ./run-tests, which installs them (apt-get install chromium chromium-driver)");
            }
        }
        System.setProperty("webdriver.chrome.driver", DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=1440,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        // The window includes what headless Chromium reserves for its (invisible) frame: grow it until the page
        // itself is 1440×900, as a laptop shows it.
        driver.manage().window().setSize(new Dimension(1440, 900));
        driver.get("about:blank");
        long inner = (Long) driver.executeScript("return window.innerHeight");
        if (inner != 900) {
            driver.manage().window().setSize(new Dimension(1440, (int) (900 + 900 - inner)));
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }
}
