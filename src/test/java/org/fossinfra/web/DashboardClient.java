package org.fossinfra.web;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A plain HTTP client for the dashboard: no redirects followed, cookies handled by hand, so tests see every answer. */
final class DashboardClient {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private final HttpClient http;
    private final String base;

    DashboardClient(String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A client whose connections come from {@code localAddress} (another loopback address: another client). */
    DashboardClient(String base, String localAddress) throws java.net.UnknownHostException {
        this.base = base;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).localAddress(java.net.InetAddress.getByName(localAddress))
                .build();
    }

    HttpResponse<String> get(String path, String cookie, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookie, String form, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> login(String user, String password) throws Exception {
        return post("/login", null, "user=" + enc(user) + "&password=" + enc(password) + "&next=%2F");
    }

    /** Signs in and returns the cookie header value ("foss_session=..."). */
    String session(String user, String password) throws Exception {
        HttpResponse<String> r = login(user, password);
        if (r.statusCode() != 303) {
            throw new AssertionError("sign-in as " + user + " answered " + r.statusCode() + ": " + r.body());
        }
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** The CSRF token of a session, as its pages carry it. */
    String csrf(String cookie) throws Exception {
        Matcher m = CSRF.matcher(get("/backends", cookie).body());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on /backends");
        }
        return m.group(1);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
