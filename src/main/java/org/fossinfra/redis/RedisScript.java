package org.fossinfra.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Lua script of {@code src/main/resources/redis/}, with the SHA-1 under which Redis caches it. Scripts are loaded
 * with {@code SCRIPT LOAD} when a connection opens and called with {@code EVALSHA}; a Redis that lost its cache
 * (restarted, {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}, and the call is repeated once with {@code EVAL}, which
 * caches the script again.
 *
 * @param name file name without {@code .lua}
 * @param body the script
 * @param sha  lower-case hex SHA-1 of the body, as {@code SCRIPT LOAD} returns it
 */
record RedisScript(String name, String body, String sha) {
    static final RedisScript FIXED_WINDOW = load("fixed_window");
    static final RedisScript SLIDING_WINDOW = load("sliding_window");
    static final RedisScript TOKEN_BUCKET = load("token_bucket");

    RedisScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(sha, "sha");
    }

    static RedisScript load(String name) {
        String path = "/redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("script " + path + " is missing from the classpath");
            }
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new RedisScript(name, body, sha1(body));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + path, e);
        }
    }

    static String sha1(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }
}
