package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.fossinfra.config.FrontendConfig;
import org.fossinfra.config.PathNormalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The normal path of a parsed request head: which part of the target it is taken from, that a normal path is used in
 * place (no copy), and that the in-place check agrees with {@link PathNormalizer} on every path.
 */
class RequestPathTest {

    /** Parses {@code GET <target>} and its path. */
    private static Parsed parse(String target) throws HttpError {
        return parse("GET", target);
    }

    private static Parsed parse(String method, String target) throws HttpError {
        ByteBuf buf = Unpooled.copiedBuffer(method + " " + target + " HTTP/1.1\r\nHost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        RequestHead req = new RequestHead(FrontendConfig.Limits.DEFAULTS);
        assertThat(req.parse(buf)).isEqualTo(HeadParser.DONE);
        RequestPath path = new RequestPath();
        path.parse(req, buf, buf.readerIndex());
        return new Parsed(path, buf);
    }

    private record Parsed(RequestPath path, ByteBuf buf) {
        String text() {
            return path.toString(buf, buf.readerIndex());
        }

        boolean under(String prefix) {
            return path.underPrefix(buf, buf.readerIndex(), HttpChars.ascii(prefix));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/api?x=/../y         | /api",
        "//api?               | /api",
        "/?/api               | /",
        "/a%3f?b              | /a%3F",
        "http://h/%61pi?q     | /api",
        "http://h             | /",
        "http://h?q=/api      | /",
        "HTTP://h//api        | /api",
    })
    void thePathIsTheTargetUpToTheQueryInNormalForm(String target, String normal) throws HttpError {
        assertThat(parse(target).text()).isEqualTo(normal);
    }

    @Test
    void theAsteriskFormHasNoPathAndMatchesNoPrefix() throws HttpError {
        Parsed p = parse("OPTIONS", "*");
        assertThat(p.text()).isEqualTo("*");
        assertThat(p.under("/")).isFalse();
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "/api          | /api   | true",
        "/api/         | /api   | true",
        "/api/x        | /api   | true",
        "/apix         | /api   | false",
        "/ap           | /api   | false",
        "/api          | /api/  | false",
        "/api/         | /api/  | true",
        "/api/x        | /api/  | true",
        "/anything     | /      | true",
        "/             | /      | true",
        // the same through the normalising path
        "//api         | /api   | true",
        "/%61pi/x      | /api   | true",
        "/%61pix       | /api   | false",
        "//apix        | /api   | false",
        "/x/../api/    | /api/  | true",
        "/x/../ap      | /api   | false",
    })
    void aPrefixHoldsForWholeSegments(String target, String prefix, boolean under) throws HttpError {
        assertThat(parse(target).under(prefix)).isEqualTo(under);
    }

    @Test
    void aRefusedPathIs400WithTheReason() {
        assertThatThrownBy(() -> parse("/a%2Fb")).isInstanceOf(HttpError.class)
                .hasMessage("encoded '/' or '\\' (%2F, %5C) in the path")
                .satisfies(e -> assertThat(((HttpError) e).status).isEqualTo(400));
    }

    @ParameterizedTest
    @CsvSource({"/", "/api", "/api/", "/api/users/7", "/a.b/.c/..d/e..", "/a;b/c", "/x?y=//z/../%2F"})
    void aNormalPathIsRecognisedInPlace(String target) {
        ByteBuf buf = Unpooled.copiedBuffer(target, StandardCharsets.ISO_8859_1);
        int q = target.indexOf('?');
        assertThat(RequestPath.isNormalInPlace(buf, 0, q < 0 ? target.length() : q)).isTrue();
    }

    /**
     * The in-place check must never call a path normal that normalising would change or refuse: then a rule would
     * see a path the normaliser disagrees with. Random paths over the characters that matter.
     */
    @Test
    void theInPlaceCheckAgreesWithTheNormalizer() {
        String[] pieces = {"/", "/", "/", ".", "..", "a", "b", "%2e", "%2E", "%61", "%2F", "%3f", ";", "\\", "%"};
        Random random = new Random(10);
        int normalSeen = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder("/");
            int n = random.nextInt(8);
            for (int j = 0; j < n; j++) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] path = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            boolean inPlace = RequestPath.isNormalInPlace(Unpooled.wrappedBuffer(path), 0, path.length);
            byte[] copy = path.clone();
            int r = PathNormalizer.normalize(copy, copy.length);
            boolean unchanged = r == path.length && new String(copy, 0, r, StandardCharsets.ISO_8859_1)
                    .equals(sb.toString());
            if (inPlace) {
                normalSeen++;
                assertThat(unchanged).as("'%s' was taken as normal in place", sb).isTrue();
            } else if (!sb.toString().contains("%") && !sb.toString().contains("\\")) {
                // Without '%' or '\', the only reasons not to use it in place are ones that change or refuse it.
                assertThat(unchanged).as("'%s' was copied but is normal", sb).isFalse();
            }
        }
        assertThat(normalSeen).isGreaterThan(10_000);
    }
}
