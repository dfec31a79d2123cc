/**
 * Redis for the node: the rate-limit store that every node shares (one atomic Lua script per check, on Redis's own
 * clock, one pipelined connection per event loop) and how its health is told (one event when it fails, one when it is
 * back). Implements {@link org.fossinfra.ratelimit.RateLimitStore}; nothing here imports the control plane.
 */
package org.fossinfra.redis;
