package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
    private static final Map<String, String> ENV = Map.of("HOST", "db1", "EMPTY", "", "REF", "${HOST}");

    @Test
    void plainReferenceTakesTheValueAndEmptyCountsAsSet() {
        assertThat(EnvSubstitution.apply("${HOST}:5432", ENV)).isEqualTo("db1:5432");
        assertThat(EnvSubstitution.apply("[${EMPTY}]", ENV)).isEqualTo("[]");
    }

    @Test
    void defaultAppliesWhenUnsetOrEmptyLikeTheShell() {
        assertThat(EnvSubstitution.apply("${NOPE:-x}", ENV)).isEqualTo("x");
        assertThat(EnvSubstitution.apply("${EMPTY:-x}", ENV)).isEqualTo("x");
        assertThat(EnvSubstitution.apply("${HOST:-x}", ENV)).isEqualTo("db1");
        assertThat(EnvSubstitution.apply("${NOPE:-}", ENV)).isEmpty();
        assertThat(EnvSubstitution.apply("${NOPE:-a:-b}", ENV)).isEqualTo("a:-b");
    }

    @Test
    void dollarDollarBraceIsALiteralAndOtherDollarsStay() {
        assertThat(EnvSubstitution.apply("$${HOST}", ENV)).isEqualTo("${HOST}");
        // Read left to right: a lone '$' stays, then $${ is the escape.
        assertThat(EnvSubstitution.apply("$$${HOST}", ENV)).isEqualTo("$${HOST}");
        assertThat(EnvSubstitution.apply("${NOPE:-$}${HOST}", ENV)).isEqualTo("$db1");
        assertThat(EnvSubstitution.apply("cost: $5, $HOST, $", ENV)).isEqualTo("cost: $5, $HOST, $");
    }

    @Test
    void substitutedValuesAreNotScannedAgain() {
        assertThat(EnvSubstitution.apply("${REF}", ENV)).isEqualTo("${HOST}");
    }

    @Test
    void errorsSayWhatToDo() {
        assertInvalid("${FOSS_ADMIN_TOKEN}", "environment variable FOSS_ADMIN_TOKEN is not set",
                "export it, or write ${FOSS_ADMIN_TOKEN:-some-default}");
        assertInvalid("a${HOST", "'${' is not closed", "close it with }, or write $${ for a literal ${");
        assertInvalid("${1X}", "'${1X}' does not name an environment variable",
                "write ${NAME} or ${NAME:-default} with NAME made of letters, digits and _, or $${ for a literal ${");
        assertInvalid("${A:-${B}}", "the default of ${A} contains another ${", "write a literal default");
    }

    @Test
    void aSecretTakesNoDefaultButMayBeLeftEmpty() {
        assertThat(EnvSubstitution.apply("${HOST}", ENV, true)).isEqualTo("db1");
        assertThat(EnvSubstitution.apply("${NOPE:-}", ENV, true)).as("empty: no password at all").isEmpty();
        for (String text : new String[] {"${NOPE:-hunter2}", "${HOST:-hunter2}", "prefix-${NOPE:-hunter2}"}) {
            assertThatThrownBy(() -> EnvSubstitution.apply(text, ENV, true)).as(text)
                    .isInstanceOfSatisfying(Invalid.class, e -> {
                        assertThat(e.problem).isEqualTo("is a secret, and ${" + (text.contains("HOST") ? "HOST" : "NOPE")
                                + ":-...} gives it a default");
                        assertThat(e.problem + e.fix).doesNotContain("hunter2");
                    });
        }
        assertThatThrownBy(() -> EnvSubstitution.apply("${FOSS_ADMIN_TOKEN}", ENV, true))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.fix).isEqualTo("export it before starting"
                        + " the node (a secret has no default: one written here would ship a known password)"));
    }

    private static void assertInvalid(String text, String problem, String fix) {
        assertThatThrownBy(() -> EnvSubstitution.apply(text, ENV)).isInstanceOfSatisfying(Invalid.class, e -> {
            assertThat(e.problem).isEqualTo(problem);
            assertThat(e.fix).isEqualTo(fix);
        });
    }
}
