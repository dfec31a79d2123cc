package org.fossinfra.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration file: where, what, and what to do about it. Rendered as
 * {@code file:line field: problem; fix.}, e.g.
 * {@code demo.yaml:41 backends[1] 'api'.health-check.interval: 50ms is below 100ms; use 100ms or more.}
 *
 * @param file    the file name as given to the loader
 * @param line    1-based line, or 0 when the error concerns the whole file (e.g. it cannot be read)
 * @param field   the offending key as a YAML path, e.g. {@code frontends[0] 'http'.routes[2].when.host}; empty when
 *                no key is concerned (a YAML syntax error)
 * @param problem what is wrong
 * @param fix     what to do about it
 */
public record ConfigError(String file, int line, String field, String problem, String fix) {
    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(fix, "fix");
        if (line < 0) {
            throw new IllegalArgumentException("line: " + line + " (expected: 0 or more)");
        }
    }

    /** {@code file:line field: problem; fix.} — the final period is left out when the fix ends with '?' or '.'. */
    public String render() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(field.isEmpty() ? ":" : " " + field + ":").append(' ').append(problem);
        if (!fix.isEmpty()) {
            sb.append("; ").append(fix);
        }
        char last = sb.charAt(sb.length() - 1);
        if (last != '.' && last != '?' && last != '!') {
            sb.append('.');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
