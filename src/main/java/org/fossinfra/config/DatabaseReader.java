package org.fossinfra.config;

import java.nio.file.Path;
import java.time.Period;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code database:}: the embedded PostgreSQL (the default, under the node's data directory), an external one by
 * URL, or none; the pool, the retention, and the write-behind settings. A password in the URL is refused without being
 * echoed (as for services), and {@code embedded: true} beside a {@code url} is a contradiction, not a guess.
 */
final class DatabaseReader {
    static final List<String> KEYS = List.of("enabled", "embedded", "url", "password", "pool-size", "retention",
            "batch-size", "buffer", "journal", "journal-min-free");
    private static final Pattern RETENTION = Pattern.compile("(\\d{1,4})(d|mo|y)");
    private static final Pattern MINUTES = Pattern.compile("(\\d+)m");

    private DatabaseReader() {
    }

    /** @param resolve turns a path as written into one relative to the config file's directory */
    static DatabaseConfig read(Context ctx, Section s, Path dataDir, Function<String, Path> resolve) {
        DatabaseConfig defaults = DatabaseConfig.defaults(dataDir);
        if (!s.present()) {
            return defaults;
        }
        s.allowOnly(KEYS);
        boolean enabled = s.bool("enabled", true);
        Optional<ServiceReader.PgUrl> url = s.parse("url", "a postgresql:// URL", ServiceReader::pgUrl);
        boolean embedded = s.bool("embedded", !s.has("url"));
        if (embedded && s.has("url") && s.has("embedded")) {
            ctx.error(s.line("embedded"), s.field("embedded"), "is true, but url names an external PostgreSQL",
                    "remove url to use the embedded one, or write embedded: false to use " + "the one at url");
        } else if (!embedded && !s.has("url") && enabled) {
            ctx.error(s.line("embedded"), s.field("embedded"), "is false, but no url says which PostgreSQL to use",
                    "add url: postgresql://foss@127.0.0.1:5432/foss and password: ${FOSS_PG_PASSWORD}, or remove"
                            + " embedded: false");
        }
        if (embedded && s.has("password") && !s.has("url")) {
            ctx.error(s.line("password"), s.field("password"), "is set, but the embedded PostgreSQL makes its own",
                    "remove it, or add url: to use an external PostgreSQL with it");
        }
        Optional<String> password = s.secretText("password").filter(p -> !p.isEmpty());
        int poolSize = s.integer("pool-size", DatabaseConfig.DEFAULT_POOL_SIZE, 2, 64);
        Period retention = s.parse("retention", "a retention", DatabaseReader::retention)
                .orElse(DatabaseConfig.DEFAULT_RETENTION);
        int batchSize = s.integer("batch-size", DatabaseConfig.DEFAULT_BATCH_SIZE, 1, 10_000);
        int buffer = s.integer("buffer", Math.max(DatabaseConfig.DEFAULT_BUFFER, batchSize), 100, 1_000_000);
        if (buffer < batchSize) {
            String key = s.has("buffer") ? "buffer" : "batch-size";
            ctx.error(s.line(key), s.field(key), "buffer " + buffer + " is below batch-size " + batchSize
                    + ", so no full batch could be held", "use a buffer of " + batchSize + " or more");
            buffer = batchSize;
        }
        Path journal = s.parse("journal", "a path", text -> {
            if (text.isBlank()) {
                throw new Invalid("is empty", "write a directory, or remove the key to use <data-dir>/journal");
            }
            return resolve.apply(text);
        }).orElse(defaults.journal());
        long minFree = s.size("journal-min-free", (int) DatabaseConfig.DEFAULT_JOURNAL_MIN_FREE, 0, 1023 * 1024 * 1024);
        DatabaseConfig.Target target;
        if (!enabled) {
            target = new DatabaseConfig.Disabled();
        } else if (embedded || url.isEmpty()) {
            target = defaults.target();
        } else {
            ServiceReader.PgUrl u = url.get();
            target = new DatabaseConfig.External(u.address(), u.database(), u.user(), password);
        }
        return new DatabaseConfig(target, poolSize, retention, batchSize, buffer, journal, minFree);
    }

    /** {@code 90d}, {@code 12mo}, {@code 2y}: days, months or years (monthly partitions make months the natural unit). */
    static Period retention(String text) {
        Matcher m = RETENTION.matcher(text);
        if (m.matches()) {
            int n = Integer.parseInt(m.group(1));
            if (n == 0) {
                throw new Invalid(text + " is zero, which would drop every event at once",
                        "use at least 1d, e.g. 12mo");
            }
            Period p = switch (m.group(2)) {
                case "d" -> Period.ofDays(n);
                case "mo" -> Period.ofMonths(n);
                default -> Period.ofYears(n);
            };
            if (p.toTotalMonths() > 1200 || n > 36_500) {
                throw new Invalid(text + " is above 100 years", "use at most 100y");
            }
            return p;
        }
        Matcher minutes = MINUTES.matcher(text);
        if (minutes.matches()) {
            throw new Invalid("'" + text + "' would be minutes, which no retention is counted in",
                    "write " + minutes.group(1) + "mo for months, or a number of days such as 90d");
        }
        throw new Invalid("expected a retention, found '" + text + "'",
                "write a whole number of days, months or years: 90d, 12mo or 2y");
    }
}
