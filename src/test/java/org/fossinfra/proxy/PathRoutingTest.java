package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.fossinfra.testing.FakeServer;
import org.fossinfra.testing.ProxyFixture;
import org.fossinfra.testing.RawClient;
import org.fossinfra.testing.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routing on the normalised path, on the wire: a {@code path-prefix: /api} rule takes every spelling of a path under
 * {@code /api} ({@code //api}, {@code /./api}, {@code /%61pi}, ...) and no path that merely starts with the letters
 * ({@code /apix}); the server still receives the request target exactly as the client sent it. Paths that a server
 * could read differently from the proxy ({@code %2F}, {@code ..} above the root, ...) are refused with 400 and reach
 * no server. One proxy for the class; each case is one request on its own connection.
 */
class PathRoutingTest {
    private static FakeServer api;
    private static FakeServer web;
    private static FakeServer raw;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        api = FakeServer.start(Script.ok("api"));
        web = FakeServer.start(Script.ok("web"));
        raw = FakeServer.start(Script.ok("raw"));
        proxy = ProxyFixture.start("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes:
                      - backend: api
                        when: { path-prefix: /api }
                    default-backend: web
                backends:
                  - name: api
                    servers: [{ name: api1, address: "${API}" }]
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                """, Map.of("API", api, "WEB", web));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        api.close();
        web.close();
        raw.close();
    }

    /** Sends {@code GET <target>}, expects 200, and returns the server that answered and the target it received. */
    private static String[] route(String target) throws Exception {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
            assertThat(r.status()).as("%s: %s", target, r.rawText()).isEqualTo(200);
            FakeServer s = switch (r.bodyText()) {
                case "api" -> api;
                case "web" -> web;
                default -> raw;
            };
            return new String[] {r.bodyText(), s.requests().getLast().target()};
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api", "/api/", "/api/users", "/api?x=1", "/api/users?next=/web",
        "//api", "//api//users", "/./api", "/./api/./users", "/web/../api/users", "/web/x/../../api",
        "/%61pi", "/%61%70%69/users", "/%2e/api", "/%2E/api", "/web/%2e%2e/api", "/web/.%2E/api",
        "/api/users/..", "/api/.", "/api%2Dv1/../x/../",
    })
    void everySpellingOfAPathUnderTheRuleGoesToItsBackendUnchanged(String target) throws Exception {
        String[] answer = route(target);
        // /api%2Dv1/../x/../ is "/" once normal: it belongs to the default backend.
        String expected = target.equals("/api%2Dv1/../x/../") ? "web" : "api";
        assertThat(answer[0]).as(target).isEqualTo(expected);
        assertThat(answer[1]).as("what the server received").isEqualTo(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/apix", "/apiary/x", "/ap", "/API", "/web/api", "/?/api", "/api%3F", "/%2561pi", "/api..", "/.api", "/a/i",
        "/%41pi",
    })
    void pathsThatOnlyShareLettersWithThePrefixGoToTheDefault(String target) throws Exception {
        String[] answer = route(target);
        assertThat(answer[0]).as(target).isEqualTo("web");
        assertThat(answer[1]).as("what the server received").isEqualTo(target);
    }

    @Test
    void anAbsoluteFormTargetIsRoutedOnItsNormalisedPath() throws Exception {
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET http://example.com//%61pi/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
                    .readResponse();
            assertThat(r.bodyText()).isEqualTo("api");
        }
        assertThat(api.requests().getLast().target()).isEqualTo("//%61pi/x");
    }

    @Test
    void aRawPrefixComparesTheBytesAsSentWithoutASegmentBoundary() throws Exception {
        proxy.reload("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes:
                      - backend: raw
                        when: { path-prefix-raw: /rawp }
                      - backend: api
                        when: { path-prefix: /api }
                    default-backend: web
                backends:
                  - name: api
                    servers: [{ name: api1, address: "${API}" }]
                  - name: web
                    servers: [{ name: web1, address: "${WEB}" }]
                  - name: raw
                    servers: [{ name: raw1, address: "${RAW}" }]
                """, Map.of("RAW", raw));
        assertThat(route("/rawp")[0]).isEqualTo("raw");
        assertThat(route("/rawpx/y")[0]).isEqualTo("raw");
        assertThat(route("/rawp/../api")[0]).isEqualTo("raw");
        assertThat(route("//rawp")[0]).isEqualTo("web");
        assertThat(route("/%72awp")[0]).isEqualTo("web");
        assertThat(route("/api/x")[0]).isEqualTo("api");
        assertThat(raw.requests()).extracting(FakeServer.Request::target)
                .containsExactly("/rawp", "/rawpx/y", "/rawp/../api");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api%2Fusers", "/api%2fusers", "/web%2F..%2Fapi", "/a%00b", "/a%5Cb", "/a%5c..%5capi", "/a\\b", "/..",
        "/../api", "/web/../../api", "/%2e%2e/api", "/api/..;/admin", "/api/.;x/admin", "/a%zz", "/a%4", "/a%",
        "/api#x", "/a\0b",
    })
    void pathsAServerCouldReadDifferentlyAreRefusedAtTheEdge(String target) throws Exception {
        int before = api.requestCount() + web.requestCount() + raw.requestCount();
        try (RawClient c = proxy.client("http")) {
            RawClient.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(c.isClosed()).isTrue();
        }
        assertThat(api.requestCount() + web.requestCount() + raw.requestCount()).as(target).isEqualTo(before);
    }

    @Test
    void theQueryIsNeverNormalisedNorChecked() throws Exception {
        String[] answer = route("/api?next=%2F..%2Fadmin&x=a\\b&y=//z");
        assertThat(answer[0]).isEqualTo("api");
        assertThat(answer[1]).isEqualTo("/api?next=%2F..%2Fadmin&x=a\\b&y=//z");
    }
}
