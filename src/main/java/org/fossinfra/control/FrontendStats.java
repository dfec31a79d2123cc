package org.fossinfra.control;

/**
 * A frontend as operators see it.
 *
 * @param bind      the address it listens on (with the actual port when configured as 0)
 * @param responses responses by status class, index 1..5
 */
public record FrontendStats(String name, String bind, int liveConnections, long connections, long requests,
                            long[] responses, long errors) {
}
