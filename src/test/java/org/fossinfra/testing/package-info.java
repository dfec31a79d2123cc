/**
 * Scenario-test fixtures in the style of HAProxy's VTest: a scripted fake origin server, a raw-socket client, and a
 * proxy started from YAML, so that tests assert exactly what crossed the wire.
 */
package org.fossinfra.testing;
