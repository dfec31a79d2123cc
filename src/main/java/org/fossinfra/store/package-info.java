/**
 * PostgreSQL for the node: an embedded server by default (under the node's data directory) or an external one; the
 * event store behind {@link org.fossinfra.events.EventStore}, its migrations and monthly partitions, and the analysis
 * behind the dashboard's Database page.
 */
package org.fossinfra.store;
