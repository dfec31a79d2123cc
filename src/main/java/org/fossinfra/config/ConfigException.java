package org.fossinfra.config;

import java.util.List;

/**
 * A configuration file that cannot be used, with every error found in it (not just the first), in file order, so one
 * run of {@code check-config} shows everything to fix.
 */
public final class ConfigException extends Exception {
    private final String file;
    private final List<ConfigError> errors;

    /**
     * @param file   the file name as given, for the header line
     * @param errors at least one
     */
    public ConfigException(String file, List<ConfigError> errors) {
        super(render(file, errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: empty (expected: at least one)");
        }
        this.file = file;
        this.errors = List.copyOf(errors);
    }

    public String file() {
        return file;
    }

    /** Every error, in file order. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String render(String file, List<ConfigError> errors) {
        StringBuilder sb = new StringBuilder()
                .append(errors.size()).append(errors.size() == 1 ? " error in " : " errors in ").append(file).append(':');
        for (ConfigError e : errors) {
            sb.append('\n').append(e.render());
        }
        return sb.toString();
    }
}
