package org.fossinfra.proxy;

/**
 * A request the proxy refuses at the edge, with the status to answer. Thrown by the parsers; stackless because a
 * flood of bad requests must not cost a stack walk each.
 */
final class HttpError extends Exception {
    final int status;

    HttpError(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }
}
