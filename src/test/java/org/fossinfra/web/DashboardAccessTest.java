package org.fossinfra.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.fossinfra.balance.AdminState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Who may see and do what on the dashboard, over plain HTTP: sessions, redirects, CSRF, headers, the API's tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardAccessTest {
    private DashboardFixture f;
    private DashboardClient c;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        f = DashboardFixture.start(dir);
        c = new DashboardClient(f.base());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    @AfterEach
    void reset() throws Exception {
        f.node.control().setState("test", "web", "web1", AdminState.READY);
    }

    @Test
    void everyPageRedirectsToTheLoginWithoutASession() throws Exception {
        for (String page : List.of("/", "/backends", "/events?type=server.state", "/host")) {
            HttpResponse<String> r = c.get(page, null);
            assertThat(r.statusCode()).as(page).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).as(page)
                    .hasValue("/login?next=" + DashboardClient.enc(page));
            assertThat(r.body()).as(page).isEmpty();
        }
        HttpResponse<String> forged = c.get("/", "foss_session=not-a-session-id-at-all-000000000000000");
        assertThat(forged.statusCode()).isEqualTo(302);
    }

    @Test
    void theStreamAndTheActionsRefuseWithoutASessionAndLeakNothing() throws Exception {
        HttpResponse<String> stream = c.get("/stream/overview", null);
        assertThat(stream.statusCode()).isEqualTo(401);
        assertThat(stream.body()).doesNotContain("web1").doesNotContain("card");
        HttpResponse<String> action = c.post("/backends/web/servers/web1/state", null, "state=drain");
        assertThat(action.statusCode()).as("a plain form goes to sign in").isEqualTo(303);
        assertThat(action.headers().firstValue("Location")).hasValue("/login");
        HttpResponse<String> htmxAction = c.post("/backends/web/servers/web1/state", null, "state=drain",
                "HX-Request", "true");
        assertThat(htmxAction.statusCode()).isEqualTo(401);
        assertThat(htmxAction.body()).doesNotContain("web1");
        assertThat(f.node.control().server("web", "web1").admin()).isEqualTo(AdminState.READY);
        HttpResponse<String> htmx = c.get("/backends", null, "HX-Request", "true");
        assertThat(htmx.statusCode()).isEqualTo(401);
        assertThat(htmx.headers().firstValue("HX-Redirect")).hasValue("/login");
    }

    @Test
    void theApiKeepsItsTokensAndIgnoresTheSessionCookie() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        assertThat(c.get("/api/backends", cookie).statusCode()).isEqualTo(401);
        assertThat(c.get("/metrics", cookie).statusCode()).isEqualTo(401);
        assertThat(c.get("/api/backends", null, "Authorization", "Bearer " + DashboardFixture.TOKEN).statusCode())
                .isEqualTo(200);
        // And a token opens no page.
        assertThat(c.get("/backends", null, "Authorization", "Bearer " + DashboardFixture.TOKEN).statusCode())
                .isEqualTo(302);
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrictAndNotSecureWithoutTls() throws Exception {
        HttpResponse<String> r = c.login(DashboardFixture.USER, DashboardFixture.PASSWORD);
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/");
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("foss_session=").contains("HTTPOnly").contains("SameSite=Strict")
                .contains("Path=/").doesNotContain("Secure");
        // 256 random bits, base64url: 43 characters.
        assertThat(cookie.substring("foss_session=".length(), cookie.indexOf(';'))).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void anActionWithoutTheCsrfTokenIsRefused() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        HttpResponse<String> none = c.post("/backends/web/servers/web1/state", cookie, "state=drain");
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("security token is missing or stale");
        HttpResponse<String> wrong = c.post("/backends/web/servers/web1/state", cookie, "state=drain",
                "X-CSRF-Token", "x".repeat(43));
        assertThat(wrong.statusCode()).isEqualTo(403);
        String other = c.csrf(c.session("bob", DashboardFixture.PASSWORD));
        assertThat(c.post("/backends/web/servers/web1/state", cookie, "state=drain&_csrf=" + other).statusCode())
                .as("another session's token").isEqualTo(403);
        assertThat(f.node.control().server("web", "web1").admin()).isEqualTo(AdminState.READY);

        String token = c.csrf(cookie);
        HttpResponse<String> ok = c.post("/backends/web/servers/web1/state", cookie, "state=drain",
                "X-CSRF-Token", token, "HX-Request", "true");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("web/web1 is now DRAIN");
        assertThat(f.node.control().server("web", "web1").admin()).isEqualTo(AdminState.DRAIN);
    }

    @Test
    void anActionFromAnotherSiteIsRefusedEvenWithTheToken() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        String token = c.csrf(cookie);
        assertThat(c.post("/backends/web/servers/web1/state", cookie, "state=drain&_csrf=" + token,
                "Origin", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(c.post("/backends/web/servers/web1/state", cookie, "state=drain&_csrf=" + token,
                "Sec-Fetch-Site", "cross-site").statusCode()).isEqualTo(403);
        assertThat(f.node.control().server("web", "web1").admin()).isEqualTo(AdminState.READY);
        // A form without script: a redirect back to the page.
        HttpResponse<String> plain = c.post("/backends/web/servers/web1/state", cookie, "state=maint&_csrf=" + token);
        assertThat(plain.statusCode()).isEqualTo(303);
        assertThat(plain.headers().firstValue("Location")).hasValue("/backends");
        assertThat(f.node.control().server("web", "web1").admin()).isEqualTo(AdminState.MAINT);
    }

    @Test
    void badActionsGetClearMessages() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        String token = c.csrf(cookie);
        HttpResponse<String> state = c.post("/backends/web/servers/web1/state", cookie, "state=sleep",
                "X-CSRF-Token", token, "HX-Request", "true");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("state: sleep (expected: ready, drain or maint)");
        HttpResponse<String> weight = c.post("/backends/web/servers/web1/weight", cookie, "weight=300",
                "X-CSRF-Token", token, "HX-Request", "true");
        assertThat(weight.statusCode()).isEqualTo(400);
        assertThat(weight.body()).contains("weight: 300 (expected: 0..256)");
        HttpResponse<String> missing = c.post("/backends/web/servers/nope/state", cookie, "state=drain",
                "X-CSRF-Token", token, "HX-Request", "true");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no server 'nope' in backend 'web'");
        // A name from the URL is shown as text, never as markup (the flash goes through the templates' escaper).
        HttpResponse<String> markup = c.post("/backends/web/servers/%3Cimg%20src%3Dx%3E/state", cookie, "state=drain",
                "X-CSRF-Token", token, "HX-Request", "true");
        assertThat(markup.statusCode()).isEqualTo(404);
        assertThat(markup.body()).contains("no server '&lt;img src=x&gt;'").doesNotContain("<img");
    }

    @Test
    void signingOutEndsTheSessionAndIsRecorded() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        assertThat(c.get("/", cookie).statusCode()).isEqualTo(200);
        HttpResponse<String> out = c.post("/logout", cookie, "_csrf=" + c.csrf(cookie));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(c.get("/", cookie).statusCode()).isEqualTo(302);
        assertThat(c.get("/stream/host", cookie).statusCode()).isEqualTo(401);
        assertThat(f.node.events().recent(1, "auth.logout").getFirst().actor()).isEqualTo("dashboard:alice");
    }

    @Test
    void pagesCarryAStrictContentSecurityPolicyAndAreNotCached() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        for (String page : List.of("/", "/backends", "/events", "/host", "/login")) {
            HttpResponse<String> r = c.get(page, page.equals("/login") ? null : cookie);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow()).as(page)
                    .contains("script-src 'self'").contains("style-src 'self'").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe");
            assertThat(r.headers().firstValue("Cache-Control")).as(page).hasValue("no-store");
            assertThat(r.body()).as(page).doesNotContain("style=\"").doesNotContain("<script>")
                    .doesNotContain("https://");
        }
    }

    @Test
    void assetsComeFromTheNodeWithAYearLongCacheAndGzip() throws Exception {
        String page = c.get("/login", null).body();
        String css = page.replaceAll("(?s).*href=\"(/assets/[0-9a-f]{12}/app\\.css)\".*", "$1");
        HttpResponse<String> r = c.get(css, null, "Accept-Encoding", "identity");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(r.body()).contains("--panel");
        HttpResponse<String> gz = c.get(css, null, "Accept-Encoding", "gzip");
        assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(c.get("/assets/000000000000/app.css", null).headers().firstValue("Cache-Control"))
                .hasValue("no-cache");
        assertThat(c.get("/assets/000000000000/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void afterSigningInTheLoginPageSendsYouOnAndNextCannotLeaveTheSite() throws Exception {
        String cookie = c.session(DashboardFixture.USER, DashboardFixture.PASSWORD);
        assertThat(c.get("/login?next=%2Fhost", cookie).headers().firstValue("Location")).hasValue("/host");
        assertThat(c.get("/login?next=%2F%2Fevil.example", cookie).headers().firstValue("Location")).hasValue("/");
        assertThat(c.get("/login?next=https%3A%2F%2Fevil.example", cookie).headers().firstValue("Location"))
                .hasValue("/");
    }
}
