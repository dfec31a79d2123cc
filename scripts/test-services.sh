# Sourced by ./run-tests: installs (Debian packages) and starts, on loopback, the real services the tests use,
# and stops them when the tests end. Nothing is skipped: a service that can't be provided fails the run.
# The load balancer's own tests need no external service yet; this is where PostgreSQL, Redis, Synapse and
# Chromium are added as the features that use them arrive.
test_services_stop() { :; }
trap test_services_stop EXIT
