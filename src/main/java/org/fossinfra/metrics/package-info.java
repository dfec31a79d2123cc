/** Metrics: the host read from /proc with no agent, JVM and proxy meters in a Prometheus registry, and in-memory history for charts. */
package org.fossinfra.metrics;
