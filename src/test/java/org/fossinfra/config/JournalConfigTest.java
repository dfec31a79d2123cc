package org.fossinfra.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code database.journal-min-free}: the free-space floor below which the event journal stops. */
class JournalConfigTest {
    private static final String BASE = """
            frontends:
              - { name: http, bind: 127.0.0.1:8080, default-backend: web }
            backends:
              - name: web
                servers: [ { name: web1, address: 127.0.0.1:4000 } ]
            """;

    private static DatabaseConfig database(String section) throws Exception {
        return ConfigLoader.parse(BASE + section, "demo.yaml", Map.of()).database();
    }

    @Test
    void theFloorIs128MiBUnlessSaidOtherwise() throws Exception {
        assertThat(database("").journalMinFree()).isEqualTo(128L << 20);
        assertThat(database("database: { retention: 90d }\n").journalMinFree()).isEqualTo(128L << 20);
    }

    @Test
    void theFloorIsASizeAndZeroNeverStopsTheJournal() throws Exception {
        assertThat(database("database: { journal-min-free: 16m }\n").journalMinFree()).isEqualTo(16L << 20);
        assertThat(database("database: { journal-min-free: 512k }\n").journalMinFree()).isEqualTo(512L << 10);
        assertThat(database("database: { journal-min-free: 0 }\n").journalMinFree()).isZero();
    }

    @Test
    void aFloorOutOfRangeOrInAnUnknownUnitNamesTheLineAndTheFix() {
        assertThat(errors("database:\n  journal-min-free: 1024m\n")).containsExactly(
                "demo.yaml:7 database.journal-min-free: 1024m is above 1023m; use a value from 0 to 1023m.");
        assertThat(errors("database:\n  journal-min-free: 2g\n")).containsExactly(
                "demo.yaml:7 database.journal-min-free: '2g' has an unknown unit;"
                        + " write bytes, or k or m (1024-based), e.g. 2k.");
    }

    private static java.util.List<String> errors(String section) {
        try {
            ConfigLoader.parse(BASE + section, "demo.yaml", Map.of());
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::render).toList();
        }
        throw new AssertionError("expected a ConfigException");
    }
}
