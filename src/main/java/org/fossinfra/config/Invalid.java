package org.fossinfra.config;

/**
 * A value that does not fit, thrown by the small parsers ({@link Durations}, {@link Sizes}, {@link EnvSubstitution},
 * {@link Scalars}) and caught where the value's file, line and field are known, which turn it into a
 * {@link ConfigError}. It never escapes the package, so it carries no stack trace.
 */
final class Invalid extends RuntimeException {
    final String problem;
    final String fix;

    Invalid(String problem, String fix) {
        super(problem + "; " + fix, null, false, false);
        this.problem = problem;
        this.fix = fix;
    }
}
