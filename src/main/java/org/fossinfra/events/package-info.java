/**
 * The event log: one record of everything that happens (server up/down, admin actions, reloads), with who did it;
 * kept in memory for the newest, and persisted write-behind, through a local journal, to an {@link
 * org.fossinfra.events.EventStore} that another package implements.
 */
package org.fossinfra.events;
