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
#                               (the user owns the database and may CREATE DATABASE: store tests make their own)
#   FOSS_TEST_PG_LIMITED_USER, FOSS_TEST_PG_LIMITED_PASSWORD  a role that may log in and nothing more (no CREATE on
#                               any schema), for the "database without permissions" tests
#   FOSS_TEST_REDIS_ADDRESS     127.0.0.1:<port>, no password
#   FOSS_TEST_REDIS_AUTH_ADDRESS 127.0.0.1:<port>, requires FOSS_TEST_REDIS_PASSWORD
#   promtool                    on the PATH (Debian's prometheus package), to check /metrics
#   /usr/bin/chromium, /usr/bin/chromedriver  (Debian's chromium and chromium-driver) for the dashboard's browser
#                               tests, which drive them headless through Selenium; nothing is downloaded at test time
#   Synapse     (PyPI's matrix-synapse in a cached virtualenv), see test_services_install_synapse below.
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
  test_services_stop_synapse
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
  local port password limited_password version socket attempt
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
  limited_password="$(test_services_secret)"
  # foss_test may create databases, so that store tests each get a fresh one; foss_test_limited may log in and
  # connect but owns nothing and may create nothing (PostgreSQL 15+ gives PUBLIC no CREATE on schema public).
  test_services_as_pg "$test_services_pg_bin/psql" -X -q -h "$socket" -p "$port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -c "CREATE ROLE foss_test LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE ROLE foss_test_limited LOGIN PASSWORD '$limited_password'" \
    -c "CREATE DATABASE foss_test OWNER foss_test" >"$test_services_dir/pg-setup.log" 2>&1 \
    || test_services_fail "PostgreSQL: creating the test role and database failed:"$'\n'"$(cat "$test_services_dir/pg-setup.log")"
  version="$("$test_services_pg_bin/postgres" --version | sed 's/^postgres (PostgreSQL) //')"
  export FOSS_TEST_PG_HOST=127.0.0.1 FOSS_TEST_PG_PORT="$port" FOSS_TEST_PG_DATABASE=foss_test \
    FOSS_TEST_PG_USER=foss_test FOSS_TEST_PG_PASSWORD="$password" \
    FOSS_TEST_PG_URL="postgresql://foss_test@127.0.0.1:$port/foss_test" \
    FOSS_TEST_PG_LIMITED_USER=foss_test_limited FOSS_TEST_PG_LIMITED_PASSWORD="$limited_password"
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

# ---- Synapse (the Matrix homeserver of the org.fossinfra.matrix tests) ----------------------------------------------
# PyPI's matrix-synapse, pinned, in a virtualenv cached under ~/.cache/foss-infra (reused by later runs while the
# version matches; installed again, 2-3 minutes, when the cache is gone, as on a fresh CI machine). Built in a temp dir
# and renamed into place only once complete, so an interrupted install is never taken for a good one; run as
# `<venv>/bin/python -m ...`, which keeps working after that rename (the console scripts' #! lines would not).
# Each run gets its own throwaway homeserver: SQLite, a client listener on 127.0.0.1 and a free port, no federation,
# registration only with the shared secret, rate limits present but loose enough for the tests (a test that wants a
# 429 sets a per-user override through the admin API). Exported for the tests:
#   FOSS_TEST_MATRIX_URL            http://127.0.0.1:<port>
#   FOSS_TEST_MATRIX_SERVER_NAME    the server name in user ids (foss-infra.test)
#   FOSS_TEST_MATRIX_BOT_USER/_PASSWORD       the bot's account (@foss-bot:...)
#   FOSS_TEST_MATRIX_OPS_USER/_PASSWORD       an operator (@ops:...), a server admin, on the tests' allowlists
#   FOSS_TEST_MATRIX_OUTSIDER_USER/_PASSWORD  a user on no allowlist (@outsider:...)
#   FOSS_TEST_MATRIX_REGISTRATION_SECRET      registration_shared_secret, for tests that register users of their own
#   FOSS_TEST_MATRIX_START, FOSS_TEST_MATRIX_STOP  scripts that start (and wait until it answers) and stop this same
#                                   homeserver, same port and data, for the outage tests
test_services_synapse_version="1.163.2"
test_services_synapse_python=""
test_services_synapse_dir=""

test_services_install_synapse() {
  local cache venv tmp log v="$test_services_synapse_version"
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/foss-infra"
  venv="$cache/synapse-venv-$v"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.foss-infra-synapse" 2>/dev/null)" = "$v" ]; then
    test_services_synapse_python="$venv/bin/python"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || test_services_fail "Synapse needs python3, which is not installed; run: sudo apt-get install -y python3 python3-venv"
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 \
      || test_services_fail "Synapse needs Python's venv module; run: sudo apt-get install -y python3-venv"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >"$test_services_dir/apt-venv.log" 2>&1 \
      || test_services_fail "apt-get install python3-venv failed:"$'\n'"$(tail -n 20 "$test_services_dir/apt-venv.log")"
  fi
  mkdir -p "$cache" || test_services_fail "cannot create $cache for Synapse's virtualenv"
  tmp="$(mktemp -d "$cache/synapse-venv-$v.partial.XXXXXX")" || test_services_fail "cannot create a temp dir in $cache"
  log="$test_services_dir/synapse-install.log"
  echo "test-services: installing Synapse $v from PyPI into $venv (once; 2-3 minutes)" >&2
  if ! { python3 -m venv "$tmp" && "$tmp/bin/python" -m pip install -q --disable-pip-version-check --no-input \
      "matrix-synapse==$v" && "$tmp/bin/python" -c 'import synapse.app.homeserver'; } >"$log" 2>&1; then
    rm -rf "$tmp"
    test_services_fail "Synapse $v could not be installed from PyPI (pip install matrix-synapse==$v):"$'\n'"$(tail -n 20 "$log")"
  fi
  echo "$v" >"$tmp/.foss-infra-synapse"
  # Another run may have finished the same install meanwhile: keep theirs, drop ours.
  if [ -e "$venv" ] && [ "$(cat "$venv/.foss-infra-synapse" 2>/dev/null)" = "$v" ]; then
    rm -rf "$tmp"
  else
    rm -rf "$venv" && mv -T "$tmp" "$venv" || test_services_fail "cannot move Synapse's virtualenv to $venv"
  fi
  test_services_synapse_python="$venv/bin/python"
}

test_services_start_synapse() {
  local dir port secret name version py
  py="$test_services_synapse_python"
  dir="$test_services_dir/synapse"
  test_services_synapse_dir="$dir"
  mkdir -p "$dir/media"
  port="$(test_services_free_port)" || exit 3
  secret="$(test_services_secret)$(test_services_secret)"
  cat >"$dir/homeserver.yaml" <<YAML
server_name: "foss-infra.test"
pid_file: "$dir/homeserver.pid"
public_baseurl: "http://127.0.0.1:$port/"
listeners:
  - port: $port
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "$dir/homeserver.db"
log_config: "$dir/log.yaml"
media_store_path: "$dir/media"
signing_key_path: "$dir/signing.key"
report_stats: false
enable_registration: false
registration_shared_secret: "$secret"
macaroon_secret_key: "$(test_services_secret)$(test_services_secret)"
form_secret: "$(test_services_secret)$(test_services_secret)"
# No federation: no federation listener, no key servers, nobody to federate with.
trusted_key_servers: []
federation_domain_whitelist: []
suppress_key_server_warning: true
url_preview_enabled: false
presence:
  enabled: false
bcrypt_rounds: 4
# Present, as in production, but loose enough for tests that sign in, create rooms and post quickly.
rc_message: {per_second: 20, burst_count: 100}
rc_login:
  address: {per_second: 10, burst_count: 100}
  account: {per_second: 10, burst_count: 100}
  failed_attempts: {per_second: 10, burst_count: 100}
rc_joins:
  local: {per_second: 10, burst_count: 100}
rc_invites:
  per_room: {per_second: 10, burst_count: 100}
  per_user: {per_second: 10, burst_count: 100}
rc_room_creation: {per_second: 10, burst_count: 100}
YAML
  cat >"$dir/log.yaml" <<YAML
version: 1
formatters:
  precise:
    format: '%(asctime)s %(name)s %(levelname)s %(request)s %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: "$dir/homeserver.log"
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
YAML
  cat >"$dir/start.sh" <<SH
#!/usr/bin/env bash
# Starts this test run's Synapse in the background (its signing key is made on the first start) and waits until
# /_matrix/client/versions answers; exits 1 with the end of its log when it does not within 90 s.
"$py" -m synapse.app.homeserver -c "$dir/homeserver.yaml" --daemonize >>"$dir/start.log" 2>&1 \\
  || { echo "Synapse did not start:"; tail -n 20 "$dir/start.log" "$dir/homeserver.log" 2>/dev/null; exit 1; }
for i in \$(seq 1 450); do
  if "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/_matrix/client/versions', timeout=1)" 2>/dev/null; then
    exit 0
  fi
  sleep 0.2
done
echo "Synapse did not answer on 127.0.0.1:$port within 90 s:"; tail -n 20 "$dir/start.log" "$dir/homeserver.log" 2>/dev/null
exit 1
SH
  cat >"$dir/stop.sh" <<SH
#!/usr/bin/env bash
# Stops this test run's Synapse (TERM, then KILL after 20 s) and waits until it is gone.
pid="\$(cat "$dir/homeserver.pid" 2>/dev/null)" || exit 0
[ -n "\$pid" ] || exit 0
kill -TERM "\$pid" 2>/dev/null || exit 0
for i in \$(seq 1 200); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL "\$pid" 2>/dev/null
for i in \$(seq 1 50); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
exit 1
SH
  chmod 755 "$dir/start.sh" "$dir/stop.sh"
  bash "$dir/start.sh" >"$dir/start-first.log" 2>&1 \
    || test_services_fail "Synapse $test_services_synapse_version did not start on 127.0.0.1:$port:"$'\n'"$(tail -n 25 "$dir/start-first.log")"
  export FOSS_TEST_MATRIX_URL="http://127.0.0.1:$port" FOSS_TEST_MATRIX_SERVER_NAME="foss-infra.test" \
    FOSS_TEST_MATRIX_REGISTRATION_SECRET="$secret" \
    FOSS_TEST_MATRIX_START="$dir/start.sh" FOSS_TEST_MATRIX_STOP="$dir/stop.sh"
  for name in bot ops outsider; do
    local user="$name" password admin="--no-admin"
    [ "$name" = bot ] && user="foss-bot"
    [ "$name" = ops ] && admin="-a"
    password="$(test_services_secret)"
    "$py" -m synapse._scripts.register_new_matrix_user -c "$dir/homeserver.yaml" -u "$user" -p "$password" $admin \
        "$FOSS_TEST_MATRIX_URL" >"$dir/register-$name.log" 2>&1 \
      || test_services_fail "Synapse: registering the test user $user failed:"$'\n'"$(tail -n 20 "$dir/register-$name.log")"
    case "$name" in
      bot) export FOSS_TEST_MATRIX_BOT_USER="@$user:foss-infra.test" FOSS_TEST_MATRIX_BOT_PASSWORD="$password" ;;
      ops) export FOSS_TEST_MATRIX_OPS_USER="@$user:foss-infra.test" FOSS_TEST_MATRIX_OPS_PASSWORD="$password" ;;
      outsider) export FOSS_TEST_MATRIX_OUTSIDER_USER="@$user:foss-infra.test" FOSS_TEST_MATRIX_OUTSIDER_PASSWORD="$password" ;;
    esac
  done
  echo "test-services: Synapse $test_services_synapse_version on $FOSS_TEST_MATRIX_URL (users foss-bot, ops, outsider; SQLite, no federation)" >&2
}

test_services_stop_synapse() {
  if [ -n "$test_services_synapse_dir" ] && [ -x "$test_services_synapse_dir/stop.sh" ]; then
    bash "$test_services_synapse_dir/stop.sh" >/dev/null 2>&1 || true
  fi
}

test_services_dir="$(mktemp -d "${TMPDIR:-/tmp}/foss-infra-tests.XXXXXX")" \
  || test_services_fail "cannot create a temp dir under ${TMPDIR:-/tmp}"
chmod 755 "$test_services_dir"
test_services_install
test_services_start_pg
test_services_start_redises
test_services_install_synapse
test_services_start_synapse
