package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.fossinfra.balance.AdminState;
import org.fossinfra.events.Event;
import org.fossinfra.store.Database;
import org.fossinfra.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard in a real browser (Debian's headless Chromium) against a whole node with real backends and load. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private Path dir;
    private DashboardFixture f;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void startNode(@TempDir Path dir) throws Exception {
        this.dir = dir;
        f = DashboardFixture.start(dir);
    }

    @AfterAll
    void stopNode() {
        f.close();
    }

    @BeforeEach
    void startBrowser() throws Exception {
        browser = Browser.start(Files.createTempDirectory(dir, "profile"));
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.ignoring(StaleElementReferenceException.class); // live parts are swapped every second
    }

    @AfterEach
    void stopBrowser() throws Exception {
        browser.quit();
        for (String s : List.of("web1", "web2", "web3", "api1")) {
            String backend = s.startsWith("api") ? "api" : "web";
            f.node.control().setState("test", backend, s, AdminState.READY);
            f.node.control().setWeight("test", backend, s, s.startsWith("api") ? 1 : 10);
        }
    }

    private void signIn(String user, String password) {
        if (!browser.getCurrentUrl().contains("/login")) {
            browser.get(f.base() + "/login");
        }
        browser.findElement(By.id("user")).clear();
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
    }

    private void signInAndWaitForLive() {
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
    }

    /**
     * An element in a server's row, found with one selector: the rows are replaced every second, so a row found first
     * and searched second could be gone in between. (The actions cell is kept across swaps: its buttons stay valid.)
     */
    private WebElement inRow(String backend, String server, String css) {
        return browser.findElement(By.cssSelector(row(backend, server) + " " + css));
    }

    private static String row(String backend, String server) {
        return "section[data-backend='" + backend + "'] tr[data-server='" + server + "']";
    }

    /** An attribute of a live cell, read in one script so that no swap can come between finding and reading. */
    private String live(String backend, String server, String attribute) {
        return (String) ((JavascriptExecutor) browser).executeScript("var e = document.querySelector(arguments[0]);"
                + " return e ? e.getAttribute(arguments[1]) : null;", row(backend, server) + " [" + attribute + "]",
                attribute);
    }

    @Test
    void signingInShowsTheOverviewWithItsCardsChartsAndLiveUpdates() {
        signInAndWaitForLive();
        assertThat(browser.getCurrentUrl()).isEqualTo(f.base() + "/");
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("alice");
        for (String card : List.of("card-cpu", "card-memory", "card-network", "card-connections")) {
            // Found and asked in one go: the cards are swapped every second (the wait ignores a stale element).
            wait.until(d -> d.findElement(By.id(card)).isDisplayed());
        }
        assertThat(browser.findElements(By.cssSelector("#chart-latency canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#chart-throughput canvas"))).isNotEmpty();
        wait.until(d -> d.findElement(By.id("services")).getText().contains("postgres"));
    }

    @Test
    void aWrongPasswordIsRefusedAndRecorded() {
        browser.get(f.base() + "/login");
        signIn(DashboardFixture.USER, "not-the-password");
        assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error"))).getText())
                .isEqualTo("Wrong user name or password.");
        assertThat(browser.getCurrentUrl()).startsWith(f.base() + "/login");
        assertThat(browser.manage().getCookieNamed(Sessions.COOKIE)).isNull();
        List<Event> failed = f.node.events().recent(10, "auth.login.failed");
        assertThat(failed).isNotEmpty();
        assertThat(failed.getFirst().actor()).isEqualTo("alice");
        assertThat(failed.getFirst().data()).containsEntry("reason", "wrong password").containsEntry("address", "127.0.0.1");
    }

    @Test
    void aPageWithoutASessionRedirectsToTheLoginAndBackAfterSigningIn() {
        browser.get(f.base() + "/backends");
        assertThat(browser.getCurrentUrl()).isEqualTo(f.base() + "/login?next=%2Fbackends");
        assertThat(browser.getPageSource()).doesNotContain("web1");
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        wait.until(ExpectedConditions.urlToBe(f.base() + "/backends"));
        assertThat(browser.findElement(By.cssSelector("section[data-backend='web']")).isDisplayed()).isTrue();
    }

    @Test
    void cardsAndAChartChangeWithinTwoSecondsWhileLoadRuns() throws Exception {
        signInAndWaitForLive();
        try (DashboardFixture.Load load = f.load(4)) {
            Eventually.until(Duration.ofSeconds(10), "load to reach the proxy", () -> load.sent.get() > 100);
            String cards = browser.findElement(By.id("cards")).getText();
            String chart = canvas("chart-throughput");
            String last = browser.findElement(By.id("chart-throughput")).getAttribute("data-last");
            long start = System.nanoTime();
            new WebDriverWait(browser, Duration.ofSeconds(2)).ignoring(StaleElementReferenceException.class).until(d ->
                    !d.findElement(By.id("cards")).getText().equals(cards)
                            && !canvas("chart-throughput").equals(chart)
                            && !String.valueOf(last).equals(d.findElement(By.id("chart-throughput")).getAttribute("data-last")));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(Duration.ofSeconds(2));
            // Traffic shows on the card: requests per second are no longer zero.
            wait.until(d -> !d.findElement(By.cssSelector("#card-connections .sub .num")).getText().equals("0"));
        }
    }

    private String canvas(String chart) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelector('#" + chart + " canvas').toDataURL()");
    }

    @Test
    void drainingAServerFromTheBackendsPageStopsItsRequests() throws Exception {
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        browser.get(f.base() + "/backends");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        try (DashboardFixture.Load load = f.load(4)) {
            long before = f.hits("web2");
            Eventually.until(Duration.ofSeconds(10), "web2 to get requests", () -> f.hits("web2") > before + 20);
            inRow("web", "web2", "button.drain").click();
            wait.until(d -> "DRAIN".equals(live("web", "web2", "data-status")));
            assertThat(browser.findElement(By.id("flash")).getText()).contains("web/web2 is now DRAIN");
            Thread.sleep(300); // requests already sent to web2 finish
            long web2 = f.hits("web2");
            long web1 = f.hits("web1");
            Thread.sleep(1500);
            assertThat(f.hits("web2")).as("requests to the drained web2").isEqualTo(web2);
            assertThat(f.hits("web1")).as("requests to web1").isGreaterThan(web1 + 20);
            assertThat(load.sent.get()).isPositive();
        }
        Event e = f.node.events().recent(1, "server.state").getFirst();
        assertThat(e.actor()).isEqualTo("dashboard:alice");
        assertThat(e.subject()).isEqualTo("web/web2");
        assertThat(e.data()).containsEntry("to", "DRAIN");
    }

    @Test
    void settingAWeightFromTheBackendsPageIsRecordedWithTheUser() {
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        browser.get(f.base() + "/backends");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        WebElement input = inRow("web", "web1", "input[name='weight']");
        input.clear();
        input.sendKeys("7");
        inRow("web", "web1", "form.weight button").click();
        wait.until(d -> "7".equals(live("web", "web1", "data-weight")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains("web/web1 weight is now 7");
        Event e = f.node.events().recent(1, "server.weight").getFirst();
        assertThat(e.actor()).isEqualTo("dashboard:alice");
        assertThat(e.data()).containsEntry("to", "7");
    }

    @Test
    void theEventsPageFiltersByTypeAndSearchAndUpdatesLive() throws Exception {
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        browser.get(f.base() + "/events");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        assertThat(browser.findElements(By.cssSelector("#event-rows tr[data-type='auth.login']"))).isNotEmpty();

        new Select(browser.findElement(By.id("type"))).selectByValue("server.state");
        wait.until(ExpectedConditions.urlContains("type=server.state"));
        wait.until(d -> d.findElements(By.cssSelector("#event-rows tr[data-type='auth.login']")).isEmpty());
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));

        f.node.control().setState("api:ops", "api", "api1", AdminState.MAINT);
        f.node.control().setState("api:ops", "web", "web3", AdminState.DRAIN);
        new WebDriverWait(browser, Duration.ofSeconds(3)).until(d -> d.findElement(By.id("event-rows")).getText()
                .contains("api/api1 set to MAINT"));
        @SuppressWarnings("unchecked")
        List<String> types = (List<String>) ((JavascriptExecutor) browser).executeScript("return Array.from("
                + "document.querySelectorAll('#event-rows tr[data-type]')).map(function (r) { return r.dataset.type; })");
        assertThat(types).isNotEmpty().containsOnly("server.state");

        browser.findElement(By.id("q")).sendKeys("web3");
        wait.until(ExpectedConditions.urlContains("q=web3"));
        wait.until(d -> d.findElements(By.xpath("//tbody[@id='event-rows']/tr[contains(., 'api/api1')]")).isEmpty());
        assertThat(browser.findElement(By.id("event-rows")).getText()).contains("web/web3");
    }

    @Test
    void theEventsPageReadsFromPostgresAndPagesOlderByTypeAndTimeRange() throws Exception {
        Database db = f.node.database().orElseThrow();
        assertThat(db.awaitReady(Duration.ofSeconds(120))).as("the embedded PostgreSQL").isTrue();
        List<Event> recorded = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            recorded.add(f.node.events().record("test.paging", "test", "item/" + i, "paging event " + i));
        }
        Eventually.until(Duration.ofSeconds(30), "the events in PostgreSQL", () -> db.stats().waiting() == 0);
        signIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        browser.get(f.base() + "/events?type=test.paging");
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        // The live parts (source, pager, rows) are swapped in again when the stream connects: every element is
        // found and used in one step of a wait, which ignores a stale one.
        wait.until(d -> "store".equals(d.findElement(By.id("events-source")).getAttribute("data-source")));
        wait.until(d -> d.findElement(By.id("source")).getText().toLowerCase(java.util.Locale.ROOT)
                .contains("postgresql") && d.findElement(By.id("source")).getText().contains("every node's events"));
        List<String> first = ids();
        assertThat(first).hasSize(EventsPage.ROWS).first().isEqualTo(Long.toString(recorded.getLast().id()));

        click("older");
        wait.until(ExpectedConditions.urlContains("before=p"));
        wait.until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        List<String> second = ids();
        assertThat(second).hasSize(50).doesNotContainAnyElementsOf(first);
        assertThat(second.getLast()).isEqualTo(Long.toString(recorded.getFirst().id()));
        assertThat(browser.findElements(By.id("older"))).as("the last page").isEmpty();
        click("newest");
        wait.until(d -> !d.getCurrentUrl().contains("before="));
        assertThat(ids()).isEqualTo(first);

        // A time range (since inclusive, until exclusive), as ISO-8601 in the URL.
        java.time.Instant since = recorded.get(100).time();
        java.time.Instant until = recorded.get(110).time();
        long expected = recorded.stream().filter(e -> !e.time().isBefore(since) && e.time().isBefore(until)).count();
        browser.get(f.base() + "/events?type=test.paging&since=" + since + "&until=" + until);
        assertThat(ids()).hasSize((int) expected).contains(Long.toString(recorded.get(100).id()))
                .doesNotContain(Long.toString(recorded.get(110).id()));
        assertThat(browser.findElement(By.id("since")).getAttribute("value")).isNotEmpty(); // the form is not swapped
    }

    private void click(String id) {
        wait.until(d -> {
            d.findElement(By.id(id)).click();
            return true;
        });
    }

    private List<String> ids() {
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) ((JavascriptExecutor) browser).executeScript("return Array.from("
                + "document.querySelectorAll('#event-rows tr[data-id]')).map(function (r) { return r.dataset.id; })");
        return ids;
    }

    @Test
    void theDatabasePageShowsTheStoreAndTheAnalysisWithRealNumbers() throws Exception {
        Database db = f.node.database().orElseThrow();
        assertThat(db.awaitReady(Duration.ofSeconds(120))).as("the embedded PostgreSQL").isTrue();
        signInAndWaitForLive();
        browser.findElement(By.linkText("Database")).click();
        wait.until(ExpectedConditions.urlContains("/database"));
        WebDriverWait slow = new WebDriverWait(browser, Duration.ofSeconds(20));
        slow.ignoring(StaleElementReferenceException.class);
        slow.until(d -> text("#database-size") != null);
        // Read with one script each: the parts are swapped whenever their numbers change.
        assertThat(attribute("#store-mode", "data-mode")).isEqualTo("embedded");
        assertThat(text("#store-state")).isEqualTo("available");
        assertThat(Long.parseLong(text("#events-written").replaceAll("[^0-9]", ""))).isPositive();
        assertThat(text("#database-size")).matches("[0-9.]+ (KiB|MiB|GiB)");
        assertThat(text("#store-detail")).contains("embedded PostgreSQL 17");
        assertThat(((Number) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll(\"#tables-table tr[data-table^='events_']\").length")).intValue())
                .isEqualTo(13);
        assertThat(text("#indexes-table tr[data-index='events_time_idx']")).contains("13 partitions");
        // The embedded PostgreSQL preloads pg_stat_statements: statements with their calls and times are listed.
        slow.until(d -> text("#slow-table td.n") != null || text("#slow-unavailable") != null);
        assertThat(text("#slow-unavailable")).as(text("#slow")).isNull();
        assertThat(text("#slow-table")).containsIgnoringCase("select");
    }

    /** The text of the first element matching {@code css}, or null, read in one script (no stale element). */
    private String text(String css) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", css);
    }

    private String attribute(String css, String name) {
        return (String) ((JavascriptExecutor) browser).executeScript(
                "var e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css,
                name);
    }

    @Test
    void signingOutEndsTheSession() {
        signInAndWaitForLive();
        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.urlContains("/login"));
        browser.get(f.base() + "/host");
        assertThat(browser.getCurrentUrl()).startsWith(f.base() + "/login");
        assertThat(f.node.events().recent(1, "auth.logout").getFirst().actor()).isEqualTo("dashboard:alice");
    }
}
