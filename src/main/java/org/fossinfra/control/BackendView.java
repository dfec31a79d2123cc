package org.fossinfra.control;

import java.util.List;

/**
 * A backend as operators see it: totals and its servers.
 *
 * @param responses responses by status class, index 1..5 (index 0 counts anything else)
 */
public record BackendView(String name, String balance, int queue, long requests, long[] responses, long errors,
                          long retries, long redispatches, int serversUp, List<ServerView> servers) {
}
