package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.fossinfra.config.ConfigLoader;
import org.fossinfra.config.FrontendConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The router alone, on parsed heads and the seed's rules (haproxy.cfg's ACLs) plus a raw prefix: one row per request,
 * naming the backend it must reach. The wire tests (RoutingTest, PathRoutingTest) show the same end to end and what
 * the server receives; this table is where a new case is cheap to add.
 */
class RouterTest {
    private static final String BACKENDS = """
            backends:
              - { name: ws, servers: [{ name: s, address: "127.0.0.1:1" }] }
              - { name: matrix, servers: [{ name: s, address: "127.0.0.1:1" }] }
              - { name: api, servers: [{ name: s, address: "127.0.0.1:1" }] }
              - { name: legacy, servers: [{ name: s, address: "127.0.0.1:1" }] }
              - { name: canary, servers: [{ name: s, address: "127.0.0.1:1" }] }
              - { name: web, servers: [{ name: s, address: "127.0.0.1:1" }] }
            """;
    private static final Router<String> SEED = router("""
            frontends:
              - name: http
                bind: 127.0.0.1:0
                routes:
                  - backend: ws
                    when: { websocket: true, path-prefix: [/socket, /live] }
                  - backend: matrix
                    when: { path-prefix: [/_matrix, /_synapse] }
                  - backend: legacy
                    when: { path-prefix-raw: /old }
                  - backend: canary
                    when: { path-prefix: /api, header: { name: X-Canary, equals: "1" } }
                  - backend: api
                    when: { path-prefix: /api/, host: [api.example.com, "*.api.example.com"] }
                  - backend: api
                    when: { path-prefix: /api }
                default-backend: web
            """ + BACKENDS);

    private static Router<String> router(String yaml) {
        try {
            FrontendConfig fe = ConfigLoader.parse(yaml, "router.yaml", Map.of()).frontends().getFirst();
            Map<String, String> names = Map.of("ws", "ws", "matrix", "matrix", "api", "api", "legacy", "legacy",
                    "canary", "canary", "web", "web");
            return new Router<>(fe, names);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Routes a head of {@code request line}, {@code Host} and extra header lines ("\n"-separated). */
    private static String route(Router<String> router, String requestLine, String host, String headers)
            throws HttpError {
        StringBuilder sb = new StringBuilder(requestLine).append("\r\nHost: ").append(host).append("\r\n");
        if (headers != null) {
            for (String h : headers.split("\\\\n")) {
                sb.append(h).append("\r\n");
            }
        }
        ByteBuf buf = Unpooled.copiedBuffer(sb.append("\r\n"), StandardCharsets.ISO_8859_1);
        RequestHead req = new RequestHead(FrontendConfig.Limits.DEFAULTS);
        assertThat(req.parse(buf)).isEqualTo(HeadParser.DONE);
        RequestPath path = new RequestPath();
        path.parse(req, buf, buf.readerIndex());
        return router.route(req, path, buf, buf.readerIndex());
    }

    private static final String UPGRADE = "Upgrade: websocket\\nConnection: Upgrade";

    @ParameterizedTest(name = "{0} (Host {1}) -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // the seed's ACLs, as written
        "GET /live/websocket HTTP/1.1   | example.com     | " + UPGRADE + " | ws",
        "GET /socket HTTP/1.1           | example.com     | " + UPGRADE + " | ws",
        "GET /live/websocket HTTP/1.1   | example.com     | -               | web",
        "GET /_matrix/client/v3 HTTP/1.1| example.com     | -               | matrix",
        "GET /_synapse/admin HTTP/1.1   | example.com     | -               | matrix",
        "GET /api/users HTTP/1.1        | example.com     | -               | api",
        "GET / HTTP/1.1                 | example.com     | -               | web",
        // whole segments: a prefix is not a string prefix
        "GET /livex HTTP/1.1            | example.com     | " + UPGRADE + " | web",
        "GET /_matrixx HTTP/1.1         | example.com     | -               | web",
        "GET /apiary HTTP/1.1           | example.com     | -               | web",
        "GET /api HTTP/1.1              | example.com     | -               | api",
        // respelt paths reach the rule they belong to
        "GET //_matrix/client HTTP/1.1  | example.com     | -               | matrix",
        "GET /%5Fmatrix/x HTTP/1.1      | example.com     | -               | matrix",
        "GET /./live/./ws HTTP/1.1      | example.com     | " + UPGRADE + " | ws",
        "GET /static/../api/x HTTP/1.1  | example.com     | -               | api",
        "GET /%61pi HTTP/1.1            | example.com     | -               | api",
        "GET /%61pi HTTP/1.1            | example.com     | X-Canary: 1     | canary",
        "GET http://example.com//api HTTP/1.1 | other     | -               | api",
        // a raw prefix: bytes as sent, no boundary
        "GET /old HTTP/1.1              | example.com     | -               | legacy",
        "GET /oldies/x HTTP/1.1         | example.com     | -               | legacy",
        "GET //old HTTP/1.1             | example.com     | -               | web",
        "GET /%6Fld HTTP/1.1            | example.com     | -               | web",
        // the query is not the path
        "GET /?next=/api HTTP/1.1       | example.com     | -               | web",
        "GET /api?x HTTP/1.1            | example.com     | -               | api",
        // a prefix ending in '/' with a host
        "GET /api/ HTTP/1.1             | api.example.com | X-Canary: 0     | api",
        "GET /api/x HTTP/1.1            | a.api.example.com:8443 | -        | api",
        // OPTIONS * has no path: only the default takes it
        "OPTIONS * HTTP/1.1             | example.com     | -               | web",
    })
    void routes(String requestLine, String host, String headers, String backend) throws HttpError {
        assertThat(route(SEED, requestLine.strip(), host, headers)).isEqualTo(backend);
    }

    @Test
    void withoutADefaultAnUnmatchedRequestHasNoBackend() throws HttpError {
        Router<String> r = router("""
                frontends:
                  - { name: http, bind: 127.0.0.1:0, routes: [{ backend: api, when: { path-prefix: /api } }] }
                """ + BACKENDS);
        assertThat(route(r, "GET /api/x HTTP/1.1", "h", null)).isEqualTo("api");
        assertThat(route(r, "GET /apix HTTP/1.1", "h", null)).isNull();
    }

    @Test
    void aRootPrefixTakesEveryPathButNotTheAsteriskForm() throws HttpError {
        Router<String> r = router("""
                frontends:
                  - name: http
                    bind: 127.0.0.1:0
                    routes: [{ backend: api, when: { path-prefix: / } }]
                    default-backend: web
                """ + BACKENDS);
        assertThat(route(r, "GET / HTTP/1.1", "h", null)).isEqualTo("api");
        assertThat(route(r, "GET //x/../y HTTP/1.1", "h", null)).isEqualTo("api");
        assertThat(route(r, "GET http://h HTTP/1.1", "h", null)).isEqualTo("api");
        assertThat(route(r, "OPTIONS * HTTP/1.1", "h", null)).isEqualTo("web");
    }
}
