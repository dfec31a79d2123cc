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
 *
 * <p>In a secret (a token, a password, a password hash) a non-empty default is refused: the file would work with
 * nobody having set the variable, and every installation that forgot would share the password written in it.
 * {@code ${VAR:-}} stays allowed where the field may be empty (an empty Redis password means none): it ships no
 * password. Messages never repeat a default, which may be a real password.
 */
final class EnvSubstitution {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvSubstitution() {
    }

    static String apply(String text, Map<String, String> env) {
        return apply(text, env, false);
    }

    /** As {@link #apply(String, Map)}; with {@code secret}, {@code ${VAR:-default}} with a default is refused. */
    static String apply(String text, Map<String, String> env, boolean secret) {
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
                out.append(resolve(text.substring(i + 2, close), env, secret));
                i = close + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    private static String resolve(String reference, Map<String, String> env, boolean secret) {
        int dash = reference.indexOf(":-");
        String name = dash < 0 ? reference : reference.substring(0, dash);
        if (!NAME.matcher(name).matches()) {
            throw new Invalid("'${" + reference + "}' does not name an environment variable",
                    "write ${NAME} or ${NAME:-default} with NAME made of letters, digits and _, or $${ for a literal ${");
        }
        String value = env.get(name);
        if (dash < 0) {
            if (value == null) {
                throw new Invalid("environment variable " + name + " is not set", secret
                        ? "export it before starting the node (a secret has no default: one written here would ship a"
                                + " known password)"
                        : "export it, or write ${" + name + ":-some-default}");
            }
            return value;
        }
        String fallback = reference.substring(dash + 2);
        if (secret && !fallback.isEmpty()) {
            throw new Invalid("is a secret, and ${" + name + ":-...} gives it a default",
                    "set " + name + " in the environment and write ${" + name + "}; a default for a secret would ship"
                            + " a known password");
        }
        if (fallback.contains("${")) {
            throw new Invalid("the default of ${" + name + "} contains another ${", "write a literal default");
        }
        return value == null || value.isEmpty() ? fallback : value;
    }
}
