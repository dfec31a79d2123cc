/** Active health checks with rise/fall hysteresis; state changes reach the balancers at once and the event log. */
package org.fossinfra.health;
