package org.fossinfra.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in the config: a whole number and a unit, {@code ms s m h d} ({@code 500ms}, {@code 10s},
 * {@code 1h}). Unlike HAProxy, a bare number is refused: HAProxy reads {@code timeout client 30} as 30 milliseconds,
 * which is almost never what the writer meant.
 */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern BARE = Pattern.compile("\\d+");
    private static final Pattern FRACTION = Pattern.compile("\\d*\\.\\d+\\s*(ms|s|m|h|d)");
    private static final Pattern SPACED = Pattern.compile("(\\d+)\\s+(ms|s|m|h|d)");
    private static final Pattern OTHER_UNIT = Pattern.compile("\\d+\\s*[a-zA-Z]+");
    /** Nine digits keep every unit, days included, far inside Duration's range. */
    private static final int MAX_DIGITS = 9;

    private Durations() {
    }

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            if (m.group(1).length() > MAX_DIGITS) {
                throw new Invalid("'" + text + "' is too large", "use a larger unit, e.g. 1h or 1d");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (BARE.matcher(text).matches()) {
            throw new Invalid("expected a duration with a unit, found bare number " + text,
                    "write " + text + "s or " + text + "ms");
        }
        if (FRACTION.matcher(text).matches()) {
            throw new Invalid("'" + text + "' is not a whole number", "use a smaller unit, e.g. 1500ms for 1.5s");
        }
        Matcher spaced = SPACED.matcher(text);
        if (spaced.matches()) {
            throw new Invalid("'" + text + "' has a space before the unit",
                    "write " + spaced.group(1) + spaced.group(2));
        }
        if (OTHER_UNIT.matcher(text).matches()) {
            throw new Invalid("'" + text + "' has an unknown unit", "use ms, s, m, h or d, e.g. 10s");
        }
        throw new Invalid("expected a duration, found '" + text + "'",
                "write a whole number and a unit (ms, s, m, h or d), e.g. 10s");
    }

    /** The shortest exact spelling: 100ms, 2s, 5m, 1h, 2d. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0 || ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
