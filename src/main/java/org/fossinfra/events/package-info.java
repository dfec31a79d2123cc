/** The event log: one record of everything that happens (server up/down, admin actions, reloads), with who did it. */
package org.fossinfra.events;
