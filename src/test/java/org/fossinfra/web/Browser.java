package org.fossinfra.web;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium through Debian's chromium-driver, both at fixed paths, so Selenium never looks for (or
 * downloads) a browser or a driver. A fresh profile each time: no cookies carried between tests. 1440×900, a laptop.
 *
 * <p>Every step goes through one retrying wait ({@link #until}, {@link #act}): the dashboard's parts are replaced by
 * its live stream once a second (htmx swaps them), so an element found in one command can be gone by the next, and a
 * page reached by a click is not there the moment the click returns. A step finds its element and acts on it inside
 * one attempt; an attempt that meets a missing, stale or not yet clickable element is tried again until
 * {@link #WAIT} runs out, and the failure then says what the step was for, on which page, with the live indicator's
 * state and the last error. Hazard: an action may run more than once, so it must be safe to repeat (clear-then-type,
 * a click that fails does not happen); reads of live cells go through one script ({@link #text}, {@link #attribute}),
 * which no swap can split.
 */
final class Browser implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";
    /**
     * How long one step may take. A tick is a second and a page load well under one on an idle machine; 20 s leaves
     * room for a machine whose two cores are busy with other builds and a stress load, and a failure still comes fast
     * enough to read.
     */
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    private final ChromeDriver driver;
    private final String base;

    private Browser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** A browser for the dashboard at {@code base} ({@code http://127.0.0.1:port}), on about:blank. */
    static Browser start(Path profile, String base) {
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
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, base);
    }

    ChromeDriver driver() {
        return driver;
    }

    String url() {
        return driver.getCurrentUrl();
    }

    /** Loads {@code path} (from the dashboard's root) and returns once the document has loaded. */
    void open(String path) {
        driver.get(base + path);
    }

    /**
     * Signs in through the form at {@code /login?next=<next>} and waits until the browser is on {@code next} with its
     * live stream delivering ({@link #awaitLive()}).
     *
     * <p>Why the sign-in goes straight to the page wanted: a click on "Sign in" returns before the form's POST has
     * navigated, so opening another page right after it races the POST's redirect. On a busy machine the redirect
     * to the overview came last, the overview (which has a live indicator too) passed for the page asked for, and the
     * Backends page's drain button was not found.
     */
    void signIn(String user, String password, String next) {
        open("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        submitSignIn(user, password);
        until("arrive at " + next + " after signing in as " + user, d -> d.getCurrentUrl().equals(base + next));
        awaitLive();
    }

    /** Fills in and sends the sign-in form of the page shown now; the caller waits for where it leads. */
    void submitSignIn(String user, String password) {
        type("type the user name", By.id("user"), user);
        type("type the password", By.id("password"), password);
        click("press Sign in", By.id("sign-in"));
    }

    /**
     * Waits until the page's live stream has swapped in at least one update: the {@code #live} indicator says "Live",
     * counts the parts swapped in ({@code data-updates}) and names the stream of the last one ({@code data-stream}),
     * which must be the one {@code <main sse-connect>} names now (app.js). Before that the parts are those of the page
     * as served (or, after the events page's filter swapped {@code <main>}, those of the previous stream).
     */
    void awaitLive() {
        until("see the live stream of this page deliver (#live says Live, data-updates at least 1, data-stream that"
                + " of <main sse-connect>)", d -> liveUpdates() >= 1);
    }

    /** Live updates swapped into this page since it loaded, or 0 while none came from the stream it shows now. */
    long liveUpdates() {
        Object n = driver.executeScript("var e = document.getElementById('live');"
                + " var m = document.querySelector('[sse-connect]');"
                + " if (!e || !m || e.textContent !== 'Live') { return 0; }"
                + " var stream = new URL(m.getAttribute('sse-connect'), location.href).href;"
                + " return e.dataset.stream === stream ? Number(e.dataset.updates || 0) : 0;");
        return ((Number) n).longValue();
    }

    /** Waits until {@code n} more live updates than {@code seen} have been swapped in. */
    void awaitLiveUpdates(long seen, int n) {
        until(n + " more live updates after " + seen, d -> liveUpdates() >= seen + n);
    }

    /**
     * Finds the element {@code by} and applies {@code action} to it in one attempt, retried until it returns a value
     * other than null or false, or {@link #WAIT} runs out. {@code what} says what the step is for, in the words of
     * the failure message: "press Drain on web2".
     */
    <T> T act(String what, By by, Function<WebElement, T> action) {
        return until(what + " (" + by + ")", d -> action.apply(d.findElement(by)));
    }

    void click(String what, By by) {
        act(what, by, e -> {
            e.click();
            return true;
        });
    }

    /** Replaces the text of the field {@code by} with {@code text}; repeated whole if the field is swapped. */
    void type(String what, By by, String text) {
        act(what, by, e -> {
            e.clear();
            e.sendKeys(text);
            return text.equals(e.getDomProperty("value"));
        });
    }

    /** Waits for {@code condition} to return a value other than null or false; see {@link #until(Duration, ...)}. */
    <T> T until(String what, Function<WebDriver, T> condition) {
        return until(WAIT, what, condition);
    }

    /**
     * Waits up to {@code timeout} for {@code condition} to return a value other than null or false, polling every
     * 100 ms and treating a missing, stale or not yet interactable element as "not yet". On timeout the error names
     * {@code what}, the page, the live indicator and the last exception.
     */
    <T> T until(Duration timeout, String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, POLL);
        wait.ignoreAll(List.of(NoSuchElementException.class, StaleElementReferenceException.class,
                ElementNotInteractableException.class));
        wait.withMessage(() -> "gave up trying to " + what + " after " + timeout.toSeconds() + " s; " + where());
        return wait.until(condition);
    }

    /** Where the browser is, for failure messages; never throws. */
    private String where() {
        try {
            Object live = driver.executeScript("var e = document.getElementById('live');"
                    + " return e ? e.textContent + ', ' + (e.dataset.updates || 0) + ' updates' : 'none';");
            return "page " + driver.getCurrentUrl() + " (\"" + driver.getTitle() + "\"), live indicator: " + live;
        } catch (WebDriverException e) {
            return "page unknown (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** The trimmed text of the first element matching {@code css}, or null, read in one script (no stale element). */
    String text(String css) {
        return (String) driver.executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", css);
    }

    /** An attribute of the first element matching {@code css}, or null, read in one script. */
    String attribute(String css, String name) {
        return (String) driver.executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css,
                name);
    }

    /** Runs {@code script} in the page (arguments as {@code arguments[i]}). */
    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    byte[] screenshot() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
