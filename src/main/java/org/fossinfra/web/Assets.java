package org.fossinfra.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard's static files (htmx, its SSE extension and uPlot from their webjars; our CSS and JS hooks), read from
 * the classpath once at start, gzipped once, and served from memory under a URL that contains a hash of the content,
 * so browsers may cache them for a year and still never run a stale copy after an upgrade. No CDN: works offline.
 */
final class Assets {
    /** name in URLs → classpath resource; {@code {v:artifact}} is the webjar's version, read from its pom.properties. */
    private static final Map<String, String> FILES = Map.of(
            "htmx.min.js", "META-INF/resources/webjars/htmx.org/{v:htmx.org}/dist/htmx.min.js",
            "sse.js", "META-INF/resources/webjars/htmx-ext-sse/{v:htmx-ext-sse}/sse.js",
            "uPlot.iife.min.js", "META-INF/resources/webjars/uplot/{v:uplot}/dist/uPlot.iife.min.js",
            "uPlot.min.css", "META-INF/resources/webjars/uplot/{v:uplot}/dist/uPlot.min.css",
            "app.css", "web/app.css",
            "app.js", "web/app.js",
            "overview.js", "web/overview.js");

    private record Asset(String type, Buffer plain, Buffer gzip, String hash) {
    }

    private final Map<String, Asset> byName = new LinkedHashMap<>();

    Assets() {
        FILES.forEach((name, path) -> byName.put(name, load(name, resolve(path))));
    }

    /** The URL of {@code name}, with its content hash: {@code /assets/3f2a9c1e/app.css}. */
    String url(String name) {
        Asset a = byName.get(name);
        if (a == null) {
            throw new IllegalArgumentException("asset: " + name + " (expected one of " + byName.keySet() + ")");
        }
        return "/assets/" + a.hash + "/" + name;
    }

    /** GET /assets/:hash/:name. A stale hash still gets today's file, just not the year-long cache. */
    void handle(RoutingContext ctx) {
        Asset a = byName.get(ctx.pathParam("name"));
        if (a == null) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such asset\n");
            return;
        }
        boolean current = a.hash.equals(ctx.pathParam("hash"));
        String accept = ctx.request().getHeader("Accept-Encoding");
        boolean gzip = accept != null && accept.contains("gzip");
        var r = ctx.response().putHeader("Content-Type", a.type)
                .putHeader("Cache-Control", current ? "public, max-age=31536000, immutable" : "no-cache")
                .putHeader("Vary", "Accept-Encoding")
                .putHeader("X-Content-Type-Options", "nosniff");
        if (gzip) {
            r.putHeader("Content-Encoding", "gzip");
        }
        r.end(gzip ? a.gzip : a.plain);
    }

    private static String resolve(String path) {
        int open = path.indexOf("{v:");
        if (open < 0) {
            return path;
        }
        int close = path.indexOf('}', open);
        String artifact = path.substring(open + 3, close);
        String props = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        Properties p = new Properties();
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(props)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset: webjar " + artifact + " is not on the classpath ("
                        + props + " missing); rebuild with ./foss-infra or mvn package");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path.substring(0, open) + p.getProperty("version") + path.substring(close + 1);
    }

    private static Asset load(String name, String path) {
        byte[] bytes;
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset " + name + ": " + path + " is not on the classpath;"
                        + " rebuild with ./foss-infra or mvn package");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream(bytes.length / 3);
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        return new Asset(type, Buffer.buffer(bytes), Buffer.buffer(gz.toByteArray()), sha256(bytes).substring(0, 12));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
