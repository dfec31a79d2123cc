package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.fossinfra.config.PathNormalizer.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The normal form of a path, one case per row: RFC 3986 §6.2.2 and §5.2.4, plus merged slashes and the refusals. */
class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // already normal: unchanged
        "/                    | /",
        "/api                 | /api",
        "/api/                | /api/",
        "/api/users/7         | /api/users/7",
        "/a.b/c..d/.e/..f/g.  | /a.b/c..d/.e/..f/g.",
        "/a;b=c/d             | /a;b=c/d",
        "/~user/_x-y          | /~user/_x-y",
        // repeated slashes
        "//                   | /",
        "//api                | /api",
        "/api//users///7      | /api/users/7",
        "/api//               | /api/",
        // dot segments (RFC 3986 §5.2.4 and its examples' shapes)
        "/.                   | /",
        "/./                  | /",
        "/./api               | /api",
        "/api/.               | /api/",
        "/api/./users         | /api/users",
        "/a/b/c/./../../g     | /a/g",
        "/mid/content=5/../6  | /mid/6",
        "/a/..                | /",
        "/a/../               | /",
        "/a/b/..              | /a/",
        "/web/../api          | /api",
        "/a/.//b              | /a/b",
        // percent-decoding of unreserved characters only, then dot segments
        "/%61pi               | /api",
        "/%41PI               | /API",
        "/%7Euser             | /~user",
        "/%2d%2E%5f%7e        | /-._~",
        "/%2e/api             | /api",
        "/web/%2e%2e/api      | /api",
        "/web/.%2E/api        | /api",
        "/%2e%2e%2e           | /...",
        // other triplets stay encoded, with upper-case hex
        "/a%20b               | /a%20b",
        "/a%3fb               | /a%3Fb",
        "/caf%c3%a9           | /caf%C3%A9",
        "/%2561pi             | /%2561pi",
        "/a%3B/..             | /",
        "/..%3B/x             | /..%3B/x",
    })
    void normalFormOf(String path, String normal) {
        assertThat(PathNormalizer.normalize(path)).isEqualTo(normal);
    }

    @ParameterizedTest(name = "{0} refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "/api%2Fusers         | ENCODED_SEPARATOR",
        "/api%2fusers         | ENCODED_SEPARATOR",
        "/a%5Cb               | ENCODED_SEPARATOR",
        "/a%5cb               | ENCODED_SEPARATOR",
        "/a%00b               | ENCODED_NUL",
        "/a\\b                | BACKSLASH",
        "/a%zz                | MALFORMED_PERCENT",
        "/a%4                 | MALFORMED_PERCENT",
        "/a%                  | MALFORMED_PERCENT",
        "/a%%41               | MALFORMED_PERCENT",
        "/a%g1                | MALFORMED_PERCENT",
        "/..                  | ABOVE_ROOT",
        "/../api              | ABOVE_ROOT",
        "/a/../..             | ABOVE_ROOT",
        "/%2e%2e              | ABOVE_ROOT",
        "/a/../%2E%2E/b       | ABOVE_ROOT",
        "/api/..;/admin       | DOT_SEGMENT_PARAMETERS",
        "/api/..;x=1/admin    | DOT_SEGMENT_PARAMETERS",
        "/api/.;/admin        | DOT_SEGMENT_PARAMETERS",
        "/api/%2e%2e;/admin   | DOT_SEGMENT_PARAMETERS",
    })
    void refused(String path, Refusal why) {
        byte[] b = path.getBytes(StandardCharsets.ISO_8859_1);
        int r = PathNormalizer.normalize(b, b.length);
        assertThat(r).isNegative();
        assertThat(PathNormalizer.refusal(r)).isEqualTo(why);
        assertThatThrownBy(() -> PathNormalizer.normalize(path)).hasMessage(why.reason());
    }

    @Test
    void theNormalFormIsAFixedPoint() {
        for (String p : new String[] {"//a/./b/../c/", "/%61/%2e/b", "/a%3fb//c/.", "/x/y/z/../../w"}) {
            String once = PathNormalizer.normalize(p);
            assertThat(PathNormalizer.normalize(once)).as(p).isEqualTo(once);
        }
    }

    @Test
    void aPathNotStartingWithASlashIsTheCallersMistake() {
        assertThatThrownBy(() -> PathNormalizer.normalize("api")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not start with '/'");
    }
}
