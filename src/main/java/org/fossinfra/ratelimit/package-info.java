/**
 * Rate limiting as pure logic: the policies (fixed window, sliding window, token bucket), their decisions, and the
 * in-process store, HAProxy's stick table in spirit; the shared Redis store lives in {@code org.fossinfra.store}.
 */
package org.fossinfra.ratelimit;
