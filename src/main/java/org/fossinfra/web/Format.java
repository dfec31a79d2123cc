package org.fossinfra.web;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Numbers as the dashboard prints them. Each format keeps a steady number of digits as the value moves (one decimal
 * for percentages, three significant digits for sizes and rates), which with tabular figures in the CSS keeps numbers
 * from jumping about while they change. NaN (no data in the second) prints as an en dash.
 */
final class Format {
    static final String NONE = "\u2013";
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Format() {
    }

    /** 0..100 with one decimal: "7.5", "100.0". */
    static String pct(double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%.1f", v);
    }

    /** Part of a whole as a percentage with one decimal; "0.0" when the whole is zero. */
    static String pctOf(double part, double whole) {
        return whole <= 0 ? "0.0" : pct(100 * part / whole);
    }

    /** Three significant digits and a binary unit: "812 KiB", "9.61 GiB". */
    static String bytes(double v) {
        if (Double.isNaN(v)) {
            return NONE;
        }
        if (v == 0) {
            return "0 B";
        }
        int u = 0;
        while (Math.abs(v) >= 1000 && u < BINARY.length - 1) {
            v /= 1024;
            u++;
        }
        return sig3(v) + " " + BINARY[u];
    }

    static String bytesPerSec(double v) {
        return bytes(v) + "/s";
    }

    /** Requests (or packets) per second: "0", "8.4", "84", "1,234"; tiny rates keep two decimals: "0.05". */
    static String rate(double v) {
        if (Double.isNaN(v)) {
            return NONE;
        }
        if (v == 0) {
            return "0";
        }
        if (v < 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return v < 10 ? String.format(Locale.ROOT, "%.1f", v) : count(Math.round(v));
    }

    /** A load average, always with two decimals: "0.52", "12.40". */
    static String load(double v) {
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%.2f", v);
    }

    /** "1 frontend", "3 frontends". */
    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Grouped thousands: "1,234,567". */
    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** Seconds shown as milliseconds with three significant digits: "0.412", "12.3", "250". */
    static String ms(double seconds) {
        return Double.isNaN(seconds) ? NONE : sig3(seconds * 1000);
    }

    /** How long ago, in the two largest units: "42s", "3m 12s", "2h 05m", "4d 03h"; "never" for 0. */
    static String ago(long epochMillis, long nowMillis) {
        return epochMillis <= 0 ? "never" : duration(Math.max(0, nowMillis - epochMillis));
    }

    static String duration(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", s / 86_400, s % 86_400 / 3600);
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    static String time(long epochMillis) {
        return epochMillis <= 0 ? NONE : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    static String dateTime(Instant t) {
        return DATE_TIME.format(t);
    }

    /** The number of a formatted "number unit" pair: "1.23" of "1.23 MiB". */
    static String num(String formatted) {
        int sp = formatted.indexOf(' ');
        return sp < 0 ? formatted : formatted.substring(0, sp);
    }

    /** The unit of a formatted "number unit" pair: "MiB" of "1.23 MiB"; "" when there is none. */
    static String unit(String formatted) {
        int sp = formatted.indexOf(' ');
        return sp < 0 ? "" : formatted.substring(sp + 1);
    }

    /** "ok", "warn" or "crit" for a usage percentage, for the colour of its bar. */
    static String level(double pct) {
        return pct >= 90 ? "crit" : pct >= 70 ? "warn" : "ok";
    }

    /** The CSS class of a server status (UP, DOWN, DRAIN, MAINT) or service state (HEALTHY, ...). */
    static String badge(String status) {
        return status.toLowerCase(Locale.ROOT);
    }

    /** The CSS class of an event type, by its first word: server, service, config, auth, node. */
    static String eventClass(String type) {
        int dot = type.indexOf('.');
        String family = dot < 0 ? type : type.substring(0, dot);
        if (type.endsWith(".failed") || type.equals("server.down") || type.equals("service.unhealthy")) {
            return "ev-bad";
        }
        if (type.equals("service.degraded") || type.equals("auth.login.limited")) {
            return "ev-warn";
        }
        return "ev-" + family.toLowerCase(Locale.ROOT);
    }

    private static String sig3(double v) {
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, f, v);
    }
}
