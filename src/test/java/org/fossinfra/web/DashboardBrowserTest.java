package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fossinfra.balance.AdminState;
import org.fossinfra.control.NotFoundException;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real browser (Debian's headless Chromium) against a whole node with real backends and load. Every
 * step goes through {@link Browser}'s retrying wait: the pages are re-rendered by their live stream each second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private Path dir;
    private DashboardFixture f;
    private Browser browser;

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
        browser = Browser.start(Files.createTempDirectory(dir, "profile"), f.base());
    }

    @AfterEach
    void stopBrowser() throws Exception {
        browser.close();
        for (String s : List.of("web1", "web2", "web3", "api1")) {
            String backend = s.startsWith("api") ? "api" : "web";
            f.node.control().setState("test", backend, s, AdminState.READY);
            f.node.control().setWeight("test", backend, s, s.startsWith("api") ? 1 : 10);
        }
    }

    private void signIn(String next) {
        browser.signIn(DashboardFixture.USER, DashboardFixture.PASSWORD, next);
    }

    /** An element in a server's row, by one selector: the rows are replaced every second, the actions cell is kept. */
    private static By inRow(String backend, String server, String css) {
        return By.cssSelector(row(backend, server) + " " + css);
    }

    private static String row(String backend, String server) {
        return "section[data-backend='" + backend + "'] tr[data-server='" + server + "']";
    }

    /** An attribute of a live cell, read in one script so that no swap can come between finding and reading. */
    private String live(String backend, String server, String attribute) {
        return browser.attribute(row(backend, server) + " [" + attribute + "]", attribute);
    }

    private String flash() {
        return String.valueOf(browser.text("#flash"));
    }

    @Test
    void signingInShowsTheOverviewWithItsCardsChartsAndLiveUpdates() {
        signIn("/");
        assertThat(browser.text("#who")).isEqualTo("alice");
        for (String card : List.of("card-cpu", "card-memory", "card-network", "card-connections")) {
            browser.act("see the " + card + " card", By.id(card), WebElement::isDisplayed);
        }
        browser.until("see the latency and throughput charts drawn", d ->
                browser.text("#chart-latency canvas") != null && browser.text("#chart-throughput canvas") != null);
        browser.until("see postgres in the service list", d -> String.valueOf(browser.text("#services"))
                .contains("postgres"));
    }

    @Test
    void aWrongPasswordIsRefusedAndRecorded() {
        browser.open("/login");
        browser.submitSignIn(DashboardFixture.USER, "not-the-password");
        browser.until("see the sign-in refused", d -> "Wrong user name or password.".equals(browser.text("#login-error")));
        assertThat(browser.url()).startsWith(f.base() + "/login");
        assertThat(browser.driver().manage().getCookieNamed(Sessions.COOKIE)).isNull();
        List<Event> failed = f.node.events().recent(10, "auth.login.failed");
        assertThat(failed).isNotEmpty();
        assertThat(failed.getFirst().actor()).isEqualTo("alice");
        assertThat(failed.getFirst().data()).containsEntry("reason", "wrong password").containsEntry("address", "127.0.0.1");
    }

    @Test
    void aPageWithoutASessionRedirectsToTheLoginAndBackAfterSigningIn() {
        browser.open("/backends");
        assertThat(browser.url()).isEqualTo(f.base() + "/login?next=%2Fbackends");
        assertThat(browser.driver().getPageSource()).doesNotContain("web1");
        browser.submitSignIn(DashboardFixture.USER, DashboardFixture.PASSWORD);
        browser.until("arrive back at /backends", d -> d.getCurrentUrl().equals(f.base() + "/backends"));
        browser.act("see the web backend", By.cssSelector("section[data-backend='web']"), WebElement::isDisplayed);
    }

    @Test
    void cardsAndAChartChangeWithinTwoSecondsWhileLoadRuns() throws Exception {
        signIn("/");
        try (DashboardFixture.Load load = f.load(4)) {
            Eventually.until(Duration.ofSeconds(10), "load to reach the proxy", () -> load.sent.get() > 100);
            String cards = browser.text("#cards");
            String chart = canvas("chart-throughput");
            String last = browser.attribute("#chart-throughput", "data-last");
            long start = System.nanoTime();
            browser.until(Duration.ofSeconds(2), "see the cards, the chart and its last point change", d ->
                    !browser.text("#cards").equals(cards)
                            && !canvas("chart-throughput").equals(chart)
                            && !String.valueOf(last).equals(browser.attribute("#chart-throughput", "data-last")));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(Duration.ofSeconds(2));
            // Traffic shows on the card: requests per second are no longer zero.
            browser.until("see requests per second above 0 on the connections card", d ->
                    !"0".equals(browser.text("#card-connections .sub .num")));
        }
    }

    private String canvas(String chart) {
        return (String) browser.script("return document.querySelector('#" + chart + " canvas').toDataURL()");
    }

    @Test
    void drainingAServerFromTheBackendsPageStopsItsRequests() throws Exception {
        signIn("/backends");
        try (DashboardFixture.Load load = f.load(4)) {
            long before = f.hits("web2");
            Eventually.until(Duration.ofSeconds(10), "web2 to get requests", () -> f.hits("web2") > before + 20);
            browser.click("press Drain on web/web2", inRow("web", "web2", "button.drain"));
            // The flash fades after 6 s: waited for together with the status, not after it.
            browser.until("see web/web2 shown as DRAIN with the flash saying so", d ->
                    "DRAIN".equals(live("web", "web2", "data-status"))
                            && flash().contains("web/web2 is now DRAIN"));
            // Requests already sent to web2 finish: once none is in flight, its count is final (no new picks).
            Eventually.until(Duration.ofSeconds(10), "web2's requests in flight to finish", () -> active("web2") == 0);
            long web2 = f.hits("web2");
            long web1 = f.hits("web1");
            Eventually.until(Duration.ofSeconds(10), "web1 to serve 200 more requests",
                    () -> f.hits("web1") > web1 + 200);
            assertThat(f.hits("web2")).as("requests to the drained web2").isEqualTo(web2);
            assertThat(load.sent.get()).isPositive();
        }
        Event e = f.node.events().recent(1, "server.state").getFirst();
        assertThat(e.actor()).isEqualTo("dashboard:alice");
        assertThat(e.subject()).isEqualTo("web/web2");
        assertThat(e.data()).containsEntry("to", "DRAIN");
    }

    private int active(String server) {
        try {
            return f.node.control().server("web", server).active();
        } catch (NotFoundException e) {
            throw new AssertionError("web/" + server + " is in the fixture's config: " + e.getMessage(), e);
        }
    }

    @Test
    void settingAWeightFromTheBackendsPageIsRecordedWithTheUser() {
        signIn("/backends");
        browser.type("type weight 7 for web/web1", inRow("web", "web1", "input[name='weight']"), "7");
        browser.click("press Set on web/web1", inRow("web", "web1", "form.weight button"));
        browser.until("see web/web1 at weight 7 with the flash saying so", d ->
                "7".equals(live("web", "web1", "data-weight")) && flash().contains("web/web1 weight is now 7"));
        Event e = f.node.events().recent(1, "server.weight").getFirst();
        assertThat(e.actor()).isEqualTo("dashboard:alice");
        assertThat(e.data()).containsEntry("to", "7");
    }

    @Test
    void theEventsPageFiltersByTypeAndSearchAndUpdatesLive() throws Exception {
        signIn("/events");
        browser.until("see a sign-in event", d -> !rowTypes().isEmpty() && rowTypes().contains("auth.login"));

        browser.act("choose type server.state", By.id("type"), e -> {
            new Select(e).selectByValue("server.state");
            return true;
        });
        browser.until("see the filter in the address", d -> d.getCurrentUrl().contains("type=server.state"));
        browser.until("see the sign-in events filtered out", d -> !rowTypes().contains("auth.login"));
        browser.awaitLive(); // the filter swapped <main>, which opened the stream of the new filter

        f.node.control().setState("api:ops", "api", "api1", AdminState.MAINT);
        f.node.control().setState("api:ops", "web", "web3", AdminState.DRAIN);
        browser.until(Duration.ofSeconds(3), "see the MAINT of api1 arrive live", d ->
                String.valueOf(browser.text("#event-rows")).contains("api/api1 set to MAINT"));
        assertThat(rowTypes()).isNotEmpty().containsOnly("server.state");

        browser.act("type web3 in the search", By.id("q"), e -> {
            e.sendKeys("web3");
            return true;
        });
        browser.until("see the search in the address", d -> d.getCurrentUrl().contains("q=web3"));
        browser.until("see api1's event filtered out", d -> !String.valueOf(browser.text("#event-rows"))
                .contains("api/api1"));
        assertThat(browser.text("#event-rows")).contains("web/web3");
    }

    @Test
    void aPageWhereNothingChangesStaysLive() {
        // A search nothing matches: after the first render no part of the page changes, tick after tick.
        signIn("/events?q=nothing-says-this-" + System.nanoTime());
        // Four beats take longer than the three seconds after which the indicator says Stale without a message.
        browser.until("see four heartbeats of the quiet page's stream", d ->
                Integer.parseInt(String.valueOf(browser.attribute("#live", "data-beats")).replace("null", "0")) >= 4);
        assertThat(browser.text("#live")).isEqualTo("Live");
    }

    private List<String> rowTypes() {
        @SuppressWarnings("unchecked")
        List<String> types = (List<String>) browser.script("return Array.from("
                + "document.querySelectorAll('#event-rows tr[data-type]')).map(function (r) { return r.dataset.type; })");
        return types;
    }

    @Test
    void theEventsPageReadsFromPostgresAndPagesOlderByTypeAndTimeRange() throws Exception {
        Database db = f.node.database().orElseThrow();
        assertThat(db.awaitReady(Duration.ofSeconds(120))).as("the embedded PostgreSQL").isTrue();
        List<Event> recorded = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            recorded.add(f.node.events().record("test.paging", "test", "item/" + i, "paging event " + i));
        }
        Eventually.until(Duration.ofSeconds(30), "the events in PostgreSQL", () -> db.stats().waiting() == 0);
        signIn("/events?type=test.paging");
        browser.until("see the events read from the store", d ->
                "store".equals(browser.attribute("#events-source", "data-source")));
        browser.until("see the source described as PostgreSQL with every node's events", d -> {
            String source = String.valueOf(browser.text("#source"));
            return source.toLowerCase(Locale.ROOT).contains("postgresql") && source.contains("every node's events");
        });
        List<String> first = ids();
        assertThat(first).hasSize(EventsPage.ROWS).first().isEqualTo(Long.toString(recorded.getLast().id()));

        browser.click("press Older", By.id("older"));
        browser.until("arrive at the older page", d -> d.getCurrentUrl().contains("before=p"));
        browser.awaitLive();
        List<String> second = ids();
        assertThat(second).hasSize(50).doesNotContainAnyElementsOf(first);
        assertThat(second.getLast()).isEqualTo(Long.toString(recorded.getFirst().id()));
        assertThat(browser.text("#older")).as("the last page").isNull();
        browser.click("press Newest", By.id("newest"));
        browser.until("arrive at the newest page", d -> !d.getCurrentUrl().contains("before="));
        browser.awaitLive();
        assertThat(ids()).isEqualTo(first);

        // A time range (since inclusive, until exclusive), as ISO-8601 in the URL.
        Instant since = recorded.get(100).time();
        Instant until = recorded.get(110).time();
        long expected = recorded.stream().filter(e -> !e.time().isBefore(since) && e.time().isBefore(until)).count();
        browser.open("/events?type=test.paging&since=" + since + "&until=" + until);
        assertThat(ids()).hasSize((int) expected).contains(Long.toString(recorded.get(100).id()))
                .doesNotContain(Long.toString(recorded.get(110).id()));
        assertThat(browser.attribute("#since", "value")).isNotEmpty(); // the form is not swapped
    }

    /**
     * A click is a press and a release on one element. A live swap in between used to replace the link pressed, and
     * the browser then fired no click: "Older" did nothing. The page now holds a part's update while a pointer is
     * pressed inside it and swaps it in after the click.
     */
    @Test
    void olderIsFollowedWhenThePagerIsUpdatedWhileItIsPressed() throws Exception {
        Database db = f.node.database().orElseThrow();
        assertThat(db.awaitReady(Duration.ofSeconds(120))).as("the embedded PostgreSQL").isTrue();
        for (int i = 0; i < EventsPage.ROWS + 10; i++) {
            f.node.events().record("test.press", "test", "item/" + i, "press event " + i);
        }
        Eventually.until(Duration.ofSeconds(30), "the events in PostgreSQL", () -> db.stats().waiting() == 0);
        signIn("/events?type=test.press");
        browser.until("see the events read from the store with an Older link", d ->
                "store".equals(browser.attribute("#events-source", "data-source")) && browser.text("#older") != null);
        // Count the pager updates the stream delivers from now on (whether swapped at once or held).
        browser.script("window.pagerUpdates = 0; document.body.addEventListener('htmx:sseBeforeMessage',"
                + " function (e) { if (e.detail.type === 'pager') { window.pagerUpdates++; } });"
                + " document.getElementById('older').scrollIntoView({block: 'center'});");
        browser.act("press and hold Older", By.id("older"), e -> {
            new Actions(browser.driver()).clickAndHold(e).perform();
            return true;
        });
        // A newer event moves the first page's last row, so its "Older" cursor: the pager part changes.
        f.node.events().record("test.press", "test", "item/new", "press event while Older is pressed");
        browser.until("see a pager update arrive while Older is pressed", d ->
                ((Number) browser.script("return window.pagerUpdates")).intValue() > 0);
        new Actions(browser.driver()).release().perform();
        browser.until("arrive at the older page after releasing Older", d -> d.getCurrentUrl().contains("before=p"));
        browser.awaitLive();
        assertThat(ids()).isNotEmpty().doesNotContain(Long.toString(f.node.events().recent(1, "test.press")
                .getFirst().id()));
    }

    private List<String> ids() {
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) browser.script("return Array.from("
                + "document.querySelectorAll('#event-rows tr[data-id]')).map(function (r) { return r.dataset.id; })");
        return ids;
    }

    @Test
    void theDatabasePageShowsTheStoreAndTheAnalysisWithRealNumbers() throws Exception {
        Database db = f.node.database().orElseThrow();
        assertThat(db.awaitReady(Duration.ofSeconds(120))).as("the embedded PostgreSQL").isTrue();
        signIn("/");
        browser.click("open the Database tab", By.linkText("Database"));
        browser.until("arrive at /database", d -> d.getCurrentUrl().contains("/database"));
        browser.until("see the database size", d -> browser.text("#database-size") != null);
        // Read with one script each: the parts are swapped whenever their numbers change.
        assertThat(browser.attribute("#store-mode", "data-mode")).isEqualTo("embedded");
        assertThat(browser.text("#store-state")).isEqualTo("available");
        assertThat(Long.parseLong(browser.text("#events-written").replaceAll("[^0-9]", ""))).isPositive();
        assertThat(browser.text("#database-size")).matches("[0-9.]+ (KiB|MiB|GiB)");
        assertThat(browser.text("#store-detail")).contains("embedded PostgreSQL 17");
        assertThat(((Number) browser.script(
                "return document.querySelectorAll(\"#tables-table tr[data-table^='events_']\").length")).intValue())
                .isEqualTo(13);
        assertThat(browser.text("#indexes-table tr[data-index='events_time_idx']")).contains("13 partitions");
        // The embedded PostgreSQL preloads pg_stat_statements: statements with their calls and times are listed.
        browser.until("see the slow statements (or why not)", d ->
                browser.text("#slow-table td.n") != null || browser.text("#slow-unavailable") != null);
        assertThat(browser.text("#slow-unavailable")).as(browser.text("#slow")).isNull();
        assertThat(browser.text("#slow-table")).containsIgnoringCase("select");
    }

    @Test
    void signingOutEndsTheSession() {
        signIn("/");
        browser.click("press Sign out", By.id("logout"));
        browser.until("arrive at the sign-in page", d -> d.getCurrentUrl().contains("/login"));
        browser.open("/host");
        assertThat(browser.url()).startsWith(f.base() + "/login");
        assertThat(f.node.events().recent(1, "auth.logout").getFirst().actor()).isEqualTo("dashboard:alice");
    }
}
