package org.fossinfra.proxy;

/**
 * What a client connection waits for, and so which timeout applies (see {@link ExchangeTimeouts}):
 * <pre>
 *   IDLE     next request               keep-alive (or http-request for the first one): close quietly
 *   HEAD     rest of the head           http-request: 408
 *   LIMIT    a rate-limit store's answer  the store's timeout: its on-failure (let through, or 503)
 *   DISPATCH a slot or a connection     queue: 503 (connect has its own timeout, then retry)
 *   BODY     request body from client   client: 408 (server: 504 while the server isn't taking the body)
 *   WAIT     response from server       server: 504 before the response starts, abort after
 *                                       (client: abort while the client isn't taking the response)
 *   TUNNEL   either side (WebSocket)    tunnel: close both
 *   CLOSED   nothing                    none
 * </pre>
 */
enum ExchangeState {
    IDLE, HEAD, LIMIT, DISPATCH, BODY, WAIT, TUNNEL, CLOSED;

    /** Whether a request is between its head and its response's start (a client leaving now is a failure). */
    boolean midExchange() {
        return switch (this) {
            case LIMIT, DISPATCH, BODY, WAIT -> true;
            case IDLE, HEAD, TUNNEL, CLOSED -> false;
        };
    }
}
