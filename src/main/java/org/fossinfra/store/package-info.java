/**
 * PostgreSQL for the node, and nothing else: the embedded PostgreSQL server (under the node's data directory, SCRAM
 * from its first second) or an external one, the event store behind {@link org.fossinfra.events.EventStore}, its
 * migrations, its monthly partitions and the PostgreSQL advisory lock of their job, and the analysis behind the
 * dashboard's Database page. Redis lives in {@code org.fossinfra.redis}.
 */
package org.fossinfra.store;
