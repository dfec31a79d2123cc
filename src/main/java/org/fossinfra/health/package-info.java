/**
 * Active checks: of the backends' servers (HTTP, rise/fall hysteresis, state changes reach the balancers at once) and
 * of the services the node watches (PostgreSQL, Redis, Matrix, HTTP, TCP: healthy, degraded or unhealthy), every
 * change of state an event.
 */
package org.fossinfra.health;
