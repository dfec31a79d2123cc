package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> BACKEND_KEYS = BackendReader.KEYS;

    @Test
    void distanceCountsASwapAsOneEdit() {
        assertThat(Suggestions.distance("balance", "balance")).isZero();
        assertThat(Suggestions.distance("balanse", "balance")).isEqualTo(1);
        assertThat(Suggestions.distance("blaance", "balance")).isEqualTo(1);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    }

    @Test
    void suggestsTypoFixesAndPrefixes() {
        assertThat(Suggestions.nearest("balanse", BACKEND_KEYS)).contains("balance");
        assertThat(Suggestions.nearest("Servers", BACKEND_KEYS)).contains("servers");
        assertThat(Suggestions.nearest("health", BACKEND_KEYS)).contains("health-check");
        assertThat(Suggestions.nearest("timeout", BACKEND_KEYS)).contains("timeouts");
        assertThat(Suggestions.nearest("healthcheck", BACKEND_KEYS)).contains("health-check");
    }

    @Test
    void suggestsNothingForUnrelatedOrTinyWords() {
        assertThat(Suggestions.nearest("colour", BACKEND_KEYS)).isEmpty();
        assertThat(Suggestions.nearest("x", List.of("ws", "web"))).isEmpty();
    }

    @Test
    void closedSetsListTheValidValues() {
        assertThat(Suggestions.oneOf("POST", List.of("GET", "HEAD", "OPTIONS"))).isEqualTo("use one of GET, HEAD, OPTIONS");
        assertThat(Suggestions.oneOf("HAED", List.of("GET", "HEAD", "OPTIONS")))
                .isEqualTo("did you mean 'HEAD'? Valid: GET, HEAD, OPTIONS");
    }
}
