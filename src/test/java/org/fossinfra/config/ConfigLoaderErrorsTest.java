package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One case per kind of error, each checking the exact text a user sees: file:line field: problem; fix. */
class ConfigLoaderErrorsTest {
    /** Valid; tests append lines to it, so backends[0] is 'web' and its servers list is the last thing in the file. */
    private static final String BASE = """
            frontends:
              - name: http
                bind: 127.0.0.1:8080
                default-backend: web
            backends:
              - name: web
                servers:
                  - name: web1
                    address: 127.0.0.1:4000
            """;

    private static List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    private static List<String> errors(String yaml, Map<String, String> env) {
        try {
            ConfigLoader.parse(yaml, "demo.yaml", env);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::render).toList();
        }
        return fail("expected a ConfigException");
    }

    @Test
    void baseIsValid() throws Exception {
        assertThat(ConfigLoader.parse(BASE, "demo.yaml", Map.of()).backends()).hasSize(1);
    }

    @Test
    void unknownKeySuggestsTheNearestAllowedKey() {
        assertThat(errors(BASE.replace("    servers:", "    balanse: leastconn\n    servers:"))).containsExactly(
                "demo.yaml:7 backends[0] 'web'.balanse: unknown key; did you mean 'balance'?");
    }

    @Test
    void unknownKeyWithNothingCloseListsTheValidKeys() {
        assertThat(errors(BASE + "        colour: blue\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.servers[0] 'web1'.colour: unknown key;"
                        + " valid keys here: name, address, weight, maxconn, backup.");
    }

    @Test
    void unknownTopLevelKeyIsAnErrorButXKeysAreIgnored() {
        assertThat(errors(BASE + "x-anchors: { a: 1 }\nfrontend: {}\n")).containsExactly(
                "demo.yaml:11 frontend: unknown key; did you mean 'frontends'?");
    }

    @Test
    void badAlgorithmSuggestsTheNearestAndListsAll() {
        assertThat(errors(BASE.replace("    servers:", "    balance: lestconn\n    servers:"))).containsExactly(
                "demo.yaml:7 backends[0] 'web'.balance: unknown algorithm 'lestconn'; did you mean 'leastconn'?"
                        + " Valid: roundrobin, weighted-roundrobin, leastconn, source, random.");
    }

    @Test
    void badHealthCheckMethodSuggestsTheRightCase() {
        assertThat(errors(BASE + "    health-check: { method: get }\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.health-check.method: 'get' is not a method for checks;"
                        + " did you mean 'GET'? Valid: GET, HEAD, OPTIONS.");
    }

    @Test
    void missingRequiredKeyPointsAtTheMappingThatLacksIt() {
        assertThat(errors(BASE.replace("    bind: 127.0.0.1:8080\n", ""))).containsExactly(
                "demo.yaml:2 frontends[0] 'http'.bind: required key is missing; add bind: 127.0.0.1:8080.");
    }

    @Test
    void requiredKeyWithoutValue() {
        assertThat(errors(BASE.replace("address: 127.0.0.1:4000", "address:"))).containsExactly(
                "demo.yaml:9 backends[0] 'web'.servers[0] 'web1'.address: has no value;"
                        + " add address: 127.0.0.1:4000.");
    }

    @Test
    void missingSectionsAtTopLevel() {
        assertThat(errors("node: { name: n1 }\n")).containsExactly(
                "demo.yaml:1 frontends: required key is missing; add frontends: with at least one listener"
                        + " (see docs/config.md).",
                "demo.yaml:1 backends: required key is missing; add backends: with at least one backend"
                        + " (see docs/config.md).");
    }

    @Test
    void wrongTypeSaysWhatWasExpectedAndWhatWasFound() {
        String yaml = BASE.replace("""
                    servers:
                      - name: web1
                        address: 127.0.0.1:4000
                """, """
                    retries: abc
                    servers:
                      name: web1
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:7 backends[0] 'web'.retries: expected a number, found 'abc'; write a whole number, e.g. 3.",
                "demo.yaml:9 backends[0] 'web'.servers: expected a list, found a mapping;"
                        + " start each item on its own line with '- '.");
    }

    @Test
    void scalarWhereAMappingBelongs() {
        assertThat(errors(BASE + "    pool: 64\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.pool: expected a mapping, found '64';"
                        + " write key: value pairs indented under it.");
    }

    @Test
    void badDurationUnit() {
        assertThat(errors(BASE + "timeouts:\n  connect: 10sec\n")).containsExactly(
                "demo.yaml:11 timeouts.connect: '10sec' has an unknown unit; use ms, s, m, h or d, e.g. 10s.");
    }

    @Test
    void bareNumberDurationAsksForAUnit() {
        assertThat(errors(BASE + "timeouts:\n  client: 10\n")).containsExactly(
                "demo.yaml:11 timeouts.client: expected a duration with a unit, found bare number 10;"
                        + " write 10s or 10ms.");
    }

    @Test
    void zeroTimeoutIsRefused() {
        assertThat(errors(BASE + "    timeouts: { server: 0s }\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.timeouts.server: 0s is zero; use a positive duration, e.g. 1m.");
    }

    @Test
    void outOfRangeWeight() {
        assertThat(errors(BASE + "        weight: 300\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.servers[0] 'web1'.weight: 300 is above 256;"
                        + " use a value from 0 to 256.");
    }

    @Test
    void sizeBelowItsMinimumIsShownInUnits() {
        assertThat(errors(BASE.replace("    default-backend: web\n",
                "    default-backend: web\n    limits: { max-request-line: 100, max-header-bytes: 2m }\n")))
                .containsExactly(
                        "demo.yaml:5 frontends[0] 'http'.limits.max-request-line: 100 is below 256;"
                                + " use a value from 256 to 1m.",
                        "demo.yaml:5 frontends[0] 'http'.limits.max-header-bytes: 2m is above 1m;"
                                + " use a value from 1k to 1m.");
    }

    @Test
    void unknownBackendInARouteSuggestsTheNearestName() {
        String yaml = BASE.replace("    default-backend: web\n", """
                    routes:
                      - backend: wbe
                        when: { path-prefix: /api }
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:5 frontends[0] 'http'.routes[0].backend: backend 'wbe' does not exist;"
                        + " did you mean 'web'?");
    }

    @Test
    void unknownDefaultBackendWithNothingCloseListsTheBackends() {
        assertThat(errors(BASE.replace("default-backend: web", "default-backend: phoenix"))).containsExactly(
                "demo.yaml:4 frontends[0] 'http'.default-backend: backend 'phoenix' does not exist; use one of web.");
    }

    @Test
    void duplicateBackendAndServerNames() {
        String yaml = BASE + """
                      - name: web1
                        address: 127.0.0.1:4001
                  - name: web
                    servers: [{ name: w, address: "h:1" }]
                """;
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:10 backends[0] 'web'.servers[1] 'web1'.name: duplicate server name 'web1' in this backend"
                        + " (first at line 8); give each server its own name.",
                "demo.yaml:12 backends[1] 'web'.name: duplicate backend name 'web' (first at line 6);"
                        + " give each backend its own name.");
    }

    @Test
    void duplicateFrontendAndTokenNames() {
        String yaml = """
                admin:
                  bind: 127.0.0.1:9090
                  tokens:
                    - { name: ops, secret: aaaaaaaaaaaaaaaaaaaa }
                    - { name: ops, secret: bbbbbbbbbbbbbbbbbbbb }
                """ + BASE.replace("backends:", """
                  - name: http
                    bind: 127.0.0.1:8081
                    default-backend: web
                backends:""");
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:5 admin.tokens[1].name: duplicate token name 'ops' (first at line 4);"
                        + " give each token holder its own name.",
                "demo.yaml:10 frontends[1] 'http'.name: duplicate frontend name 'http' (first at line 7);"
                        + " give each frontend its own name.");
    }

    @Test
    void bindCollisionsBetweenFrontendsAndWithAdmin() {
        String yaml = """
                admin: { bind: "127.0.0.1:8080", tokens: [{ name: ops, secret: aaaaaaaaaaaaaaaaaaaa }] }
                frontends:
                  - { name: a, bind: "127.0.0.1:0", default-backend: web }
                  - { name: b, bind: "127.0.0.1:0", default-backend: web }
                  - { name: c, bind: "127.0.0.1:8080", default-backend: web }
                  - { name: d, bind: "*:8080", default-backend: web }
                backends: [{ name: web, servers: [{ name: w, address: "h:1" }] }]
                """;
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:5 frontends[2] 'c'.bind: 127.0.0.1:8080 is already bound by the admin listener (line 1);"
                        + " use another port or address.",
                "demo.yaml:6 frontends[3] 'd'.bind: 0.0.0.0:8080 overlaps 127.0.0.1:8080 of the admin listener"
                        + " (line 1); use another port or address.");
    }

    @Test
    void allBackupBackendHasNoPrimary() {
        assertThat(errors(BASE + "        backup: true\n")).containsExactly(
                "demo.yaml:7 backends[0] 'web'.servers: every server is backup: true, so none is a primary;"
                        + " make at least one a primary (remove its backup: true).");
    }

    @Test
    void frontendWithoutRoutesOrDefaultBackend() {
        assertThat(errors(BASE.replace("    default-backend: web\n", ""))).containsExactly(
                "demo.yaml:2 frontends[0] 'http': has neither routes nor default-backend, so it could serve no request;"
                        + " add default-backend: web, or routes.");
    }

    @Test
    void unsetEnvironmentVariable() {
        String yaml = """
                node:
                  name: node-1
                admin:
                  bind: 127.0.0.1:9090
                  tokens:
                    - name: ops
                      secret: ${FOSS_ADMIN_TOKEN}
                """ + BASE;
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:7 admin.tokens[0].secret: environment variable FOSS_ADMIN_TOKEN is not set;"
                        + " export it before starting the node (a secret has no default: one written here would ship"
                        + " a known password).");
    }

    @Test
    void forwardedForTakesAModeAndTrueAsksWhichOne() throws Exception {
        String yaml = BASE.replace("    default-backend: web\n", "    default-backend: web\n    forwarded-for: %s\n");
        for (String mode : new String[] {"replace", "append", "false"}) {
            assertThat(ConfigLoader.parse(yaml.formatted(mode), "demo.yaml", Map.of()).frontends().getFirst()
                    .forwardedFor().configText()).isEqualTo(mode);
        }
        assertThat(errors(yaml.formatted("true"))).containsExactly(
                "demo.yaml:5 frontends[0] 'http'.forwarded-for: true no longer says which mode; write replace for a"
                        + " frontend that clients reach directly (their X-Forwarded-For, X-Real-IP and Forwarded are"
                        + " dropped), or append to keep the client's list and add the address, as true did (for a"
                        + " node behind a trusted proxy).");
        assertThat(errors(yaml.formatted("apend"))).containsExactly(
                "demo.yaml:5 frontends[0] 'http'.forwarded-for: 'apend' is not a forwarded-for mode; did you mean"
                        + " 'append'? Valid: replace, append, false.");
    }

    @Test
    void trustedProxiesAreAddressesOrCidrBlocks() throws Exception {
        String yaml = BASE.replace("    default-backend: web\n", "    default-backend: web\n    trusted-proxies: %s\n");
        assertThat(ConfigLoader.parse(yaml.formatted("[10.0.0.0/8, 192.0.2.7, \"2001:db8::/32\", \"::1\"]"),
                "demo.yaml", Map.of()).frontends().getFirst().trustedProxies()).extracting(Cidr::toString)
                .containsExactly("10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::1/128");
        assertThat(ConfigLoader.parse(yaml.formatted("127.0.0.0/8"), "demo.yaml", Map.of()).frontends().getFirst()
                .trustedProxies()).extracting(Cidr::toString).containsExactly("127.0.0.0/8");
        String wrong = "[10.0.0.1/8, 10.0.0.0/33, proxy.example.com, 010.0.0.1, \"::ffff:1.2.3.4/64\"]";
        assertThat(errors(yaml.formatted(wrong)))
                .containsExactly(
                        "demo.yaml:5 frontends[0] 'http'.trusted-proxies[0]: '10.0.0.1/8' has bits set past its /8"
                                + " prefix; write 10.0.0.0/8 for the block, or 10.0.0.1 alone for the one address.",
                        "demo.yaml:5 frontends[0] 'http'.trusted-proxies[1]: '10.0.0.0/33' has no valid prefix length;"
                                + " write /0 to /32 after an IPv4 address.",
                        "demo.yaml:5 frontends[0] 'http'.trusted-proxies[2]: 'proxy.example.com' is not an IP address"
                                + " or a CIDR block; write e.g. 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32.",
                        "demo.yaml:5 frontends[0] 'http'.trusted-proxies[3]: '010.0.0.1' is not an IP address or a"
                                + " CIDR block; write e.g. 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32.",
                        "demo.yaml:5 frontends[0] 'http'.trusted-proxies[4]: '::ffff:1.2.3.4/64' has no valid prefix"
                                + " length; write /0 to /32 after an IPv4 address.");
    }

    @Test
    void yesNoBooleansAreRefused() {
        String yaml = BASE.replace("    default-backend: web\n", "    default-backend: web\n    forwarded-proto: yes\n")
                + "        backup: off\n";
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:5 frontends[0] 'http'.forwarded-proto: 'yes' is not a boolean here; write true or false.",
                "demo.yaml:11 backends[0] 'web'.servers[0] 'web1'.backup: 'off' is not a boolean here;"
                        + " write true or false.");
    }

    @Test
    void checkTimeoutLongerThanInterval() {
        assertThat(errors(BASE + "    health-check:\n      interval: 2s\n      timeout: 3s\n")).containsExactly(
                "demo.yaml:12 backends[0] 'web'.health-check.timeout: timeout 3s is longer than interval 2s,"
                        + " so a check would overlap the next; use a timeout of 2s or less, or a longer interval.");
    }

    @Test
    void checkIntervalBelowTheFloor() {
        assertThat(errors(BASE + "    health-check:\n      interval: 50ms\n      timeout: 20ms\n")).containsExactly(
                "demo.yaml:11 backends[0] 'web'.health-check.interval: 50ms is below 100ms; use 100ms or more.");
    }

    @Test
    void shortAdminTokenIsGuessable() {
        String yaml = "admin:\n  bind: 127.0.0.1:9090\n  tokens:\n    - name: ops\n      secret: ${T}\n" + BASE;
        assertThat(errors(yaml, Map.of("T", "hunter22"))).containsExactly(
                "demo.yaml:5 admin.tokens[0].secret: is 8 characters long, so it is guessable;"
                        + " use at least 16 random characters, e.g. from: openssl rand -hex 32.");
    }

    @Test
    void yamlSyntaxErrorTakesItsLineFromTheParser() {
        assertThat(errors(BASE.replace("bind: 127.0.0.1:8080", "bind: a: b"))).containsExactly(
                "demo.yaml:3: YAML syntax error at column 12: mapping values are not allowed here;"
                        + " quote a value that contains ': ', or check the indentation.");
    }

    @Test
    void unquotedWildcardBindIsExplained() {
        assertThat(errors(BASE.replace("bind: 127.0.0.1:8080", "bind: *:8080"))).containsExactly(
                "demo.yaml:3: YAML syntax error at column 12: '*' starts an alias here;"
                        + " quote a value that starts with '*', e.g. bind: \"*:8080\".");
    }

    @Test
    void tabIndentation() {
        assertThat(errors(BASE + "\tretries: 3\n")).containsExactly(
                "demo.yaml:10: YAML syntax error at column 1: a tab cannot start a token; indent with spaces, not tabs.");
    }

    @Test
    void duplicateKeyNamesBothLines() {
        assertThat(errors(BASE.replace("    servers:", "    balance: source\n    balance: random\n    servers:")))
                .containsExactly("demo.yaml:8 backends[0] 'web'.balance: duplicate key (first at line 7);"
                        + " remove one of them.");
    }

    @Test
    void websocketFalseIsNotACondition() {
        String yaml = BASE.replace("    default-backend: web\n", """
                    routes:
                      - backend: web
                        when: { websocket: false, path-prefix: [/ok, api] }
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.websocket: false is not a condition (a route cannot"
                        + " require a request that is not a WebSocket upgrade); remove the key.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[1]: 'api' does not start with '/';"
                        + " write /api.");
    }

    @Test
    void aPathPrefixThatIsNotANormalPathSaysWhatItReadsAs() {
        String yaml = BASE.replace("    default-backend: web\n", """
                    routes:
                      - backend: web
                        when: { path-prefix: [/api/./v1, "//api", /%61pi, /a%3fb, "/api?x=1", /api%2Fv1, /.., /ok] }
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[0]: '/api/./v1' is compared with request"
                        + " paths in normal form (dot segments and repeated slashes removed, %XX of letters, digits"
                        + " and -._~ decoded), where it reads '/api/v1'; write /api/v1, or use path-prefix-raw to"
                        + " compare the raw request target.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[1]: '//api' is compared with request"
                        + " paths in normal form (dot segments and repeated slashes removed, %XX of letters, digits"
                        + " and -._~ decoded), where it reads '/api'; write /api, or use path-prefix-raw to compare"
                        + " the raw request target.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[2]: '/%61pi' is compared with request"
                        + " paths in normal form (dot segments and repeated slashes removed, %XX of letters, digits"
                        + " and -._~ decoded), where it reads '/api'; write /api, or use path-prefix-raw to compare"
                        + " the raw request target.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[3]: '/a%3fb' is compared with request"
                        + " paths in normal form (dot segments and repeated slashes removed, %XX of letters, digits"
                        + " and -._~ decoded), where it reads '/a%3Fb'; write /a%3Fb, or use path-prefix-raw to"
                        + " compare the raw request target.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[4]: '/api?x=1' has a query or a fragment,"
                        + " which path-prefix does not look at; write the path alone, or use path-prefix-raw to"
                        + " compare the raw request target.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[5]: '/api%2Fv1' can match no request: a"
                        + " path with encoded '/' or '\\' (%2F, %5C) is refused with 400; remove it.",
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix[6]: '/..' can match no request: a path"
                        + " with '..' above the root of the path is refused with 400; remove it.");
    }

    @Test
    void aRawPathPrefixTakesAnyTargetBytes() throws Exception {
        String yaml = BASE.replace("    default-backend: web\n", """
                    routes:
                      - backend: web
                        when: { path-prefix-raw: [//api, /%61pi, "/api?x=1"] }
                """);
        RouteConfig route = ConfigLoader.parse(yaml, "demo.yaml", Map.of()).frontends().getFirst().routes().getFirst();
        assertThat(route.conditions()).containsExactly(
                new RouteConfig.Condition.PathPrefixRaw(List.of("//api", "/%61pi", "/api?x=1")));
        assertThat(errors(yaml.replace("\"/api?x=1\"", "api"))).containsExactly(
                "demo.yaml:6 frontends[0] 'http'.routes[0].when.path-prefix-raw[2]: 'api' does not start with '/';"
                        + " write /api.");
    }

    @Test
    void routeWithoutConditions() {
        String yaml = BASE.replace("    default-backend: web\n", """
                    routes:
                      - backend: web
                        when: {}
                      - backend: web
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:6 frontends[0] 'http'.routes[0].when: has no condition;"
                        + " add when: with at least one of websocket, path-prefix, path-prefix-raw, host, header.",
                "demo.yaml:7 frontends[0] 'http'.routes[1].when: required key is missing;"
                        + " add when: with at least one of websocket, path-prefix, path-prefix-raw, host, header.");
    }

    @Test
    void backendTimeoutInAFrontendSaysWhereItBelongs() {
        assertThat(errors(BASE.replace("    default-backend: web\n",
                "    default-backend: web\n    timeouts: { connect: 1s, clinet: 2s }\n"))).containsExactly(
                "demo.yaml:5 frontends[0] 'http'.timeouts.connect: 'connect' is a backend timeout, not a frontend one;"
                        + " move it to a backend's timeouts or to the top-level timeouts.",
                "demo.yaml:5 frontends[0] 'http'.timeouts.clinet: unknown key; did you mean 'client'?");
    }

    @Test
    void badResponseHeaders() {
        String yaml = BASE.replace("    default-backend: web\n", """
                    default-backend: web
                    response-headers:
                      X Frame: DENY
                      Content-Length: "0"
                      x-frame-options: DENY
                      X-Frame-Options: SAMEORIGIN
                """);
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:6 frontends[0] 'http'.response-headers.X Frame: 'X Frame' is not a valid header name;"
                        + " use letters, digits and !#$%&'*+-.^_`|~ only (RFC 9110 token).",
                "demo.yaml:7 frontends[0] 'http'.response-headers.Content-Length: 'Content-Length' frames the message"
                        + " and is set by the proxy; remove it.",
                "demo.yaml:9 frontends[0] 'http'.response-headers.X-Frame-Options: same header as 'x-frame-options'"
                        + " (names are case-insensitive); remove one of them.");
    }

    @Test
    void badAddresses() {
        String yaml = BASE.replace("127.0.0.1:8080", "localhost").replace("127.0.0.1:4000", "\"*:4000\"")
                + "      - { name: web2, address: \"http://10.0.0.2:80\" }\n"
                + "      - { name: web3, address: \"10.0.0.3:0\" }\n";
        assertThat(errors(yaml)).containsExactly(
                "demo.yaml:3 frontends[0] 'http'.bind: 'localhost' has no port; write host:port, e.g. 127.0.0.1:8080.",
                "demo.yaml:9 backends[0] 'web'.servers[0] 'web1'.address: '*:4000' is a wildcard, which only makes"
                        + " sense for a bind; write the server's own address, e.g. 127.0.0.1:4000.",
                "demo.yaml:10 backends[0] 'web'.servers[1] 'web2'.address: 'http://10.0.0.2:80' has a scheme;"
                        + " write host:port without http:// or https://.",
                "demo.yaml:11 backends[0] 'web'.servers[2] 'web3'.address: '10.0.0.3:0' has port 0;"
                        + " write the port the server listens on (1..65535).");
    }

    @Test
    void badExpectStatus() {
        assertThat(errors(BASE + "    health-check:\n      expect-status: [200, 6xx, 299-200, ok]\n")).containsExactly(
                "demo.yaml:11 backends[0] 'web'.health-check.expect-status[1]: expected a status, a class or a range,"
                        + " found '6xx'; write e.g. 200, 2xx or 200-399.",
                "demo.yaml:11 backends[0] 'web'.health-check.expect-status[2]: '299-200' is an empty range;"
                        + " write the lower status first, e.g. 200-299.",
                "demo.yaml:11 backends[0] 'web'.health-check.expect-status[3]: expected a status, a class or a range,"
                        + " found 'ok'; write e.g. 200, 2xx or 200-399.");
    }

    @Test
    void badNameCharacters() {
        assertThat(errors(BASE.replace("name: web1", "name: web 1"))).containsExactly(
                "demo.yaml:8 backends[0] 'web'.servers[0].name: 'web 1' is not a valid name;"
                        + " use only letters, digits, '_', '.' and '-'.");
    }

    @Test
    void emptyFileAndNonMappingRoot() {
        assertThat(errors("# nothing\n")).containsExactly(
                "demo.yaml: the file holds no settings; write at least frontends: and backends: (see docs/config.md).");
        assertThat(errors("- a\n- b\n")).containsExactly(
                "demo.yaml:1: expected a mapping, found a list; write key: value pairs indented under it.");
    }

    @Test
    void aliasBombIsStoppedWithALine() {
        StringBuilder yaml = new StringBuilder("x-a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nx-b: &b [");
        for (int i = 0; i < 40; i++) {
            yaml.append(i == 0 ? "" : ", ").append("*a");
        }
        yaml.append("]\n");
        assertThat(errors(yaml + BASE)).containsExactly(
                "demo.yaml:2: more than 32 aliases to lists or mappings;"
                        + " write some of them out; the limit guards against alias bombs.");
    }

    @Test
    void selfMergingAnchorDoesNotLoop() {
        assertThat(errors(BASE + "    pool: &p { max-idle-per-server: x, <<: *p }\n")).containsExactly(
                "demo.yaml:10 backends[0] 'web'.pool.max-idle-per-server: expected a number, found 'x';"
                        + " write a whole number, e.g. 3.");
    }

    @Test
    void severalErrorsAreAllReportedInFileOrder() throws Exception {
        Path file = Path.of(getClass().getResource("/config/broken.yaml").toURI());
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        try {
            ConfigLoader.parse(yaml, "broken.yaml", Map.of());
            fail("expected a ConfigException");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isEqualTo("""
                    6 errors in broken.yaml:
                    broken.yaml:4 frontends[0] 'http'.default-backend: backend 'webb' does not exist; did you mean 'web'?
                    broken.yaml:5 frontends[0] 'http'.forwarded-proto: 'yes' is not a boolean here; write true or false.
                    broken.yaml:8 backends[0] 'web'.balance: unknown algorithm 'lestconn'; did you mean 'leastconn'? \
                    Valid: roundrobin, weighted-roundrobin, leastconn, source, random.
                    broken.yaml:12 backends[0] 'web'.servers[0] 'web1'.weight: 300 is above 256; use a value from 0 to 256.
                    broken.yaml:14 backends[0] 'web'.health-check.interval: 50ms is below 100ms; use 100ms or more.
                    broken.yaml:15 backends[0] 'web'.health-check.timeot: unknown key; did you mean 'timeout'?""");
            assertThat(e.errors()).extracting(ConfigError::line).containsExactly(4, 5, 8, 12, 14, 15);
        }
    }
}
