/** The operations people perform on a running node (drain, weight, reload), shared by the admin API, the dashboard and chat commands, each recorded as an event with who did it. */
package org.fossinfra.control;
