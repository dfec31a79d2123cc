package org.fossinfra.config;

import java.time.Duration;

/**
 * Every timeout of HAProxy's {@code timeout} family, already resolved: top-level {@code timeouts:} gives defaults,
 * a frontend or backend may override the ones that concern it. The proxy reads client, httpRequest and keepAlive
 * from the frontend's copy and connect, server, queue and tunnel from the backend's copy.
 *
 * @param connect     to establish a TCP connection to a server
 * @param client      client inactivity while a request is in progress
 * @param server      server inactivity while a response is awaited or streamed (504 when nothing came yet)
 * @param httpRequest the whole request head must arrive within this time (408)
 * @param queue       the longest a request waits for a free server slot (503)
 * @param tunnel      inactivity on an upgraded (WebSocket) connection
 * @param keepAlive   idle time allowed between two requests on a client connection
 */
public record Timeouts(Duration connect, Duration client, Duration server, Duration httpRequest,
                       Duration queue, Duration tunnel, Duration keepAlive) {

    /** The defaults when the config names none; close to HAProxy's usual production values but shorter for client/server. */
    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10));
}
