/**
 * Fixtures for the real services tests talk to: the PostgreSQL, Redis and Synapse that scripts/test-services.sh
 * starts on loopback for ./run-tests (described by FOSS_TEST_* variables; a missing one fails the test, never skips
 * it), redis-server processes and silent servers of a test's own, and a capture of what the node logs.
 */
package org.fossinfra.testing.services;
