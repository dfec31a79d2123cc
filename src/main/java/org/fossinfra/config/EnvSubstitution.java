package org.fossinfra.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in scalar values, as HAProxy does for {@code ${HAPROXY_STATS_PASSWORD}}.
 *
 * <p>It runs on each scalar after YAML parsing, never on the file text, so a value cannot inject YAML structure and
 * every error keeps the scalar's line. {@code ${VAR}} requires the variable to be set (empty counts as set);
 * {@code ${VAR:-default}} takes the default when it is unset or empty, as the shell does. <code>$${</code> is a literal
 * <code>${</code>. A substituted value is not scanned again.
 */
final class EnvSubstitution {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvSubstitution() {
    }

    static String apply(String text, Map<String, String> env) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new Invalid("'${' is not closed",
                            "close it with }, or write $${ for a literal ${");
                }
                out.append(resolve(text.substring(i + 2, close), env));
                i = close + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    private static String resolve(String reference, Map<String, String> env) {
        int dash = reference.indexOf(":-");
        String name = dash < 0 ? reference : reference.substring(0, dash);
        if (!NAME.matcher(name).matches()) {
            throw new Invalid("'${" + reference + "}' does not name an environment variable",
                    "write ${NAME} or ${NAME:-default} with NAME made of letters, digits and _, or $${ for a literal ${");
        }
        String value = env.get(name);
        if (dash < 0) {
            if (value == null) {
                throw new Invalid("environment variable " + name + " is not set",
                        "export it, or write ${" + name + ":-some-default}");
            }
            return value;
        }
        String fallback = reference.substring(dash + 2);
        if (fallback.contains("${")) {
            throw new Invalid("the default of ${" + name + "} contains another ${", "write a literal default");
        }
        return value == null || value.isEmpty() ? fallback : value;
    }
}
