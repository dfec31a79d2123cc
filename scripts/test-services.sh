# Sourced by ./run-tests: installs (Debian packages) and starts, on loopback, the real services the tests use,
# and stops them when the tests end. Nothing is skipped: a service that can't be provided fails the run (exit 3)
# with a line saying what could not be installed or started.
#
# Started here, each a throwaway instance in a temp dir, on 127.0.0.1 and a free port, gone after the run:
#   PostgreSQL  (Debian's postgresql; the binaries of /usr/lib/postgresql/<version>/bin, run as the postgres user
#                when we are root, since initdb refuses root). Password (SCRAM) login for a test role and database.
#   Redis       (Debian's redis-server), twice: one without a password, one with requirepass. No persistence.
# Exported for the tests (they fail, never skip, when these are missing):
#   FOSS_TEST_PG_URL            postgresql://foss_test@127.0.0.1:<port>/foss_test  (no password in it)
#   FOSS_TEST_PG_USER, FOSS_TEST_PG_PASSWORD, FOSS_TEST_PG_DATABASE, FOSS_TEST_PG_HOST, FOSS_TEST_PG_PORT
#   FOSS_TEST_REDIS_ADDRESS     127.0.0.1:<port>, no password
#   FOSS_TEST_REDIS_AUTH_ADDRESS 127.0.0.1:<port>, requires FOSS_TEST_REDIS_PASSWORD
#   promtool                    on the PATH (Debian's prometheus package), to check /metrics
#   /usr/bin/chromium, /usr/bin/chromedriver  (Debian's chromium and chromium-driver) for the dashboard's browser
#                               tests, which drive them headless through Selenium; nothing is downloaded at test time
# Synapse is added here as the feature that uses it arrives.
#
# Why the versioned directory and not `pg_ctl` from the PATH: Debian puts only wrappers (pg_ctlcluster, psql via
# pg_wrapper) on the PATH; a `pg_ctl` in /usr/local/bin is a hand-made link on some machines and absent on a fresh one.

test_services_dir=""
test_services_pg_bin=""
test_services_pg_data=""
test_services_redis_pids=()
test_services_port=""

test_services_fail() {
  echo "test-services: $*" >&2
  exit 3
}

# As the postgres user when we are root (initdb and postgres refuse to run as root), else as ourselves.
test_services_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

test_services_stop() {
  local pid
  if [ -n "$test_services_pg_data" ] && [ -f "$test_services_pg_data/postmaster.pid" ]; then
    test_services_as_pg "$test_services_pg_bin/pg_ctl" -D "$test_services_pg_data" -m immediate -t 10 stop \
      >/dev/null 2>&1 || true
  fi
  for pid in "${test_services_redis_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [ -n "$test_services_dir" ] && [ -d "$test_services_dir" ]; then
    rm -rf "$test_services_dir"
  fi
}
trap test_services_stop EXIT

# The newest /usr/lib/postgresql/<version>/bin that has everything we run, or nothing.
test_services_find_pg() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ]; then
      echo "$d"
      return 0
    fi
  done
  return 0
}

# A port on 127.0.0.1 where nothing answers now (a refused connect). The server started on it reports a clash.
test_services_free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  test_services_fail "found no free port on 127.0.0.1 in 50 tries"
}

test_services_secret() {
  od -An -tx1 -N12 /dev/urandom | tr -d ' \n'
}

test_services_install() {
  local missing=()
  test_services_pg_bin="$(test_services_find_pg)"
  [ -n "$test_services_pg_bin" ] || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || missing+=(redis-server)
  # promtool (from Debian's prometheus package; only the tool is used, no server is started) checks /metrics.
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  # The dashboard's browser tests: Debian's Chromium and its matching driver, at fixed paths.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    test_services_fail "the tests need ${missing[*]}, which is not installed, and only root can install it;" \
      "run: sudo apt-get install -y ${missing[*]}  (then ./run-tests again)"
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    test_services_fail "the tests need ${missing[*]} and this is not a Debian-like system (no apt-get); install it"
  fi
  echo "test-services: installing ${missing[*]} (Debian packages)" >&2
  apt-get update -qq >"$test_services_dir/apt.log" 2>&1 \
    || test_services_fail "apt-get update failed (see the output below); cannot install ${missing[*]}"$'\n'"$(tail -n 20 "$test_services_dir/apt.log")"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$test_services_dir/apt.log" 2>&1 \
    || test_services_fail "apt-get install ${missing[*]} failed:"$'\n'"$(tail -n 20 "$test_services_dir/apt.log")"
  test_services_pg_bin="$(test_services_find_pg)"
  [ -n "$test_services_pg_bin" ] \
    || test_services_fail "postgresql was installed but no /usr/lib/postgresql/<version>/bin has initdb, pg_ctl, postgres and psql"
  command -v redis-server >/dev/null 2>&1 \
    || test_services_fail "redis-server was installed but is not on the PATH"
  command -v promtool >/dev/null 2>&1 \
    || test_services_fail "prometheus was installed but promtool is not on the PATH"
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    || test_services_fail "chromium and chromium-driver were installed but /usr/bin/chromium or /usr/bin/chromedriver is missing"
  # The package's service must not run during tests (on systemd machines it would start at install).
  if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus prometheus-node-exporter >/dev/null 2>&1 || true; fi
}

test_services_start_pg() {
  local port password version socket attempt
  test_services_pg_data="$test_services_dir/pg/data"
  socket="$test_services_dir/pg/socket"
  mkdir -p "$test_services_pg_data" "$socket"
  chmod 700 "$test_services_pg_data"
  if [ "$(id -u)" -eq 0 ]; then
    getent passwd postgres >/dev/null || test_services_fail "PostgreSQL: there is no postgres user (the Debian package creates it); reinstall postgresql"
    chown -R postgres: "$test_services_dir/pg"
  fi
  test_services_as_pg "$test_services_pg_bin/initdb" -D "$test_services_pg_data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$test_services_dir/pg-initdb.log" 2>&1 \
    || test_services_fail "PostgreSQL: initdb failed:"$'\n'"$(tail -n 20 "$test_services_dir/pg-initdb.log")"
  for attempt in 1 2 3; do
    port="$(test_services_free_port)" || exit 3
    # Durability off: the cluster is thrown away, and the tests only need it to answer.
    if test_services_as_pg "$test_services_pg_bin/pg_ctl" -D "$test_services_pg_data" -w -t 30 \
        -l "$test_services_pg_data/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
        start >/dev/null 2>&1; then
      break
    fi
    if [ "$attempt" -eq 3 ]; then
      test_services_fail "PostgreSQL did not start on 127.0.0.1:$port:"$'\n'"$(tail -n 20 "$test_services_pg_data/server.log" 2>/dev/null)"
    fi
  done
  password="$(test_services_secret)"
  test_services_as_pg "$test_services_pg_bin/psql" -X -q -h "$socket" -p "$port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -c "CREATE ROLE foss_test LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE foss_test OWNER foss_test" >"$test_services_dir/pg-setup.log" 2>&1 \
    || test_services_fail "PostgreSQL: creating the test role and database failed:"$'\n'"$(cat "$test_services_dir/pg-setup.log")"
  version="$("$test_services_pg_bin/postgres" --version | sed 's/^postgres (PostgreSQL) //')"
  export FOSS_TEST_PG_HOST=127.0.0.1 FOSS_TEST_PG_PORT="$port" FOSS_TEST_PG_DATABASE=foss_test \
    FOSS_TEST_PG_USER=foss_test FOSS_TEST_PG_PASSWORD="$password" \
    FOSS_TEST_PG_URL="postgresql://foss_test@127.0.0.1:$port/foss_test"
  echo "test-services: PostgreSQL $version on 127.0.0.1:$port (database foss_test, user foss_test, password login)" >&2
}

# Starts one redis-server; $1 names it in files and messages, $2 is a password or empty. Sets test_services_port.
test_services_start_redis() {
  local name="$1" password="$2" port attempt i auth=() cli_auth=()
  if [ -n "$password" ]; then
    auth=(--requirepass "$password")
    cli_auth=(--no-auth-warning -a "$password")
  fi
  for attempt in 1 2 3; do
    port="$(test_services_free_port)" || exit 3
    if redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
        --dir "$test_services_dir" --pidfile "$test_services_dir/$name.pid" --logfile "$test_services_dir/$name.log" \
        "${auth[@]}" >/dev/null 2>&1; then
      for i in $(seq 1 100); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" "${cli_auth[@]}" ping 2>/dev/null)" = "PONG" ]; then
          test_services_redis_pids+=("$(cat "$test_services_dir/$name.pid")")
          test_services_port="$port"
          return 0
        fi
        sleep 0.1
      done
      if [ -f "$test_services_dir/$name.pid" ]; then
        kill "$(cat "$test_services_dir/$name.pid")" 2>/dev/null || true
      fi
    fi
  done
  test_services_fail "Redis ($name) did not start on 127.0.0.1:$port:"$'\n'"$(tail -n 20 "$test_services_dir/$name.log" 2>/dev/null)"
}

test_services_start_redises() {
  local password version
  test_services_start_redis redis ""
  export FOSS_TEST_REDIS_ADDRESS="127.0.0.1:$test_services_port"
  password="$(test_services_secret)"
  test_services_start_redis redis-auth "$password"
  export FOSS_TEST_REDIS_AUTH_ADDRESS="127.0.0.1:$test_services_port" FOSS_TEST_REDIS_PASSWORD="$password"
  version="$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
  echo "test-services: Redis $version on $FOSS_TEST_REDIS_ADDRESS (no password) and $FOSS_TEST_REDIS_AUTH_ADDRESS (password)" >&2
}

test_services_dir="$(mktemp -d "${TMPDIR:-/tmp}/foss-infra-tests.XXXXXX")" \
  || test_services_fail "cannot create a temp dir under ${TMPDIR:-/tmp}"
chmod 755 "$test_services_dir"
test_services_install
test_services_start_pg
test_services_start_redises
