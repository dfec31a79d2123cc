package org.fossinfra.matrix;

/**
 * A request to the homeserver that did not succeed, classified by what the caller does next ({@link Kind}). The
 * message names the request ("POST /login") and the homeserver's answer; it never holds a token or a password.
 */
final class MatrixException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What to do about a failure. */
    enum Kind {
        /** 429 / M_LIMIT_EXCEEDED: wait {@link #retryAfterMs()} (or back off when the server said nothing) and retry. */
        RATE_LIMITED,
        /** M_UNKNOWN_TOKEN / M_MISSING_TOKEN: sign in again when a password is configured. */
        UNKNOWN_TOKEN,
        /** No connection, no answer in time, a 5xx, or an answer that is not the homeserver's: back off and retry. */
        UNAVAILABLE,
        /** Any other 4xx: the request as made cannot succeed (wrong room, no permission, ...). */
        REFUSED,
        /** Nothing will work until a person changes the config (wrong password, refused token): stop the bot. */
        FATAL
    }

    private final Kind kind;
    private final int status;
    private final String errcode;
    private final long retryAfterMs;

    /**
     * @param status       the HTTP status, or 0 when there was no answer
     * @param errcode      the Matrix error code ("M_FORBIDDEN"), or "" when the answer had none
     * @param retryAfterMs how long the server asked us to wait, or -1 when it did not say
     */
    MatrixException(Kind kind, int status, String errcode, long retryAfterMs, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
        this.errcode = errcode;
        this.retryAfterMs = retryAfterMs;
    }

    static MatrixException unavailable(String message) {
        return new MatrixException(Kind.UNAVAILABLE, 0, "", -1, message);
    }

    static MatrixException fatal(String message) {
        return new MatrixException(Kind.FATAL, 0, "", -1, message);
    }

    Kind kind() {
        return kind;
    }

    int status() {
        return status;
    }

    String errcode() {
        return errcode;
    }

    long retryAfterMs() {
        return retryAfterMs;
    }
}
