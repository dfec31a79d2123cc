package org.fossinfra.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Plain scalar types as the config reads them from text: numbers, booleans, names. Every scalar is read from its
 * text, not from the type SnakeYAML resolved, so {@code ${PORT:-8080}} and {@code "8080"} are numbers like
 * {@code 8080}, and YAML 1.1's {@code yes}/{@code no}/{@code on}/{@code off} are refused rather than silently read
 * as booleans (the "Norway problem").
 */
final class Scalars {
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,10}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Set<String> YAML11_BOOLEANS = Set.of("yes", "no", "y", "n", "on", "off", "true", "false");
    /** RFC 9110 §5.6.2 tchar, besides letters and digits. */
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private Scalars() {
    }

    static int integer(String text) {
        if (INTEGER.matcher(text).matches()) {
            long n = Long.parseLong(text);
            if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                return (int) n;
            }
        }
        throw new Invalid("expected a number, found '" + text + "'", "write a whole number, e.g. 3");
    }

    static boolean bool(String text) {
        if (text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        if (YAML11_BOOLEANS.contains(text.toLowerCase(Locale.ROOT))) {
            throw new Invalid("'" + text + "' is not a boolean here", "write true or false");
        }
        throw new Invalid("expected true or false, found '" + text + "'", "write true or false");
    }

    /** Frontend, backend and server names: they appear in logs, metrics and URLs. */
    static String name(String text) {
        if (!NAME.matcher(text).matches()) {
            throw new Invalid("'" + text + "' is not a valid name",
                    "use only letters, digits, '_', '.' and '-'");
        }
        return text;
    }

    /** An HTTP field name (RFC 9110 §5.1: a token). */
    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the text holds a space or a control character, which cannot go into a request line or a header. */
    static boolean hasSpaceOrControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
