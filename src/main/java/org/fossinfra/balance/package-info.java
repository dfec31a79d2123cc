/**
 * Choosing a backend server for each request: shared server state, per-event-loop load balancers and their algorithms.
 */
package org.fossinfra.balance;
