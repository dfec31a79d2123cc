#!/usr/bin/env bash
# Event store: write throughput (events/s) and insert (batch) latency of the node's write path, and the
# GET /api/events queries at 10 million rows. Against a throwaway PostgreSQL (Debian's, as scripts/test-services.sh
# installs; installed with apt-get when missing) on 127.0.0.1, removed at the end.
#
#   bench/event-store.sh [--rows N] [--months M] [--write-seconds S] [--write-rounds R] [--write-warmup W]
#                        [--batch-size B] [--reps N]
#
#   --rows N           rows loaded for the read queries (default 10000000)
#   --months M         monthly partitions they are spread over, ending now (default 5)
#   --write-seconds S  seconds per measured write window (default 20)
#   --write-rounds R   measured windows per write phase (default 5)
#   --write-warmup W   seconds of writing before the first window (default 15)
#   --batch-size B     events per insert (default 500, the product's database.batch-size default)
#   --reps N           runs of each query; the median is reported (default 21)
#
# Phases, one PostgreSQL, in this order:
#   1. write, empty table: the driver (bench/event-store/EventStoreBench.java, compiled here against the built
#      classes and target/lib) starts the product's write path, EventLog.writeBehind + Database (migrations, partition job,
#      PostgresEventStore), records events as fast as it drains them, and times every insert (one batch, one round
#      trip, one commit). Events/s and the batch latency per window.
#   2. load N rows in SQL (generate_series) over M monthly partitions, five event types (one of them rare: 0.01%),
#      then VACUUM ANALYZE.
#   3. read: the queries of GET /api/events (first page, next page, a page half-way down by cursor, type filter,
#      rare type, time range, combinations), through PostgresEventStore.query, each --reps times: median ms, with
#      EXPLAIN (ANALYZE, BUFFERS) of each saved and the indexes it used reported.
#   4. write again, now that the current month's partition holds its share of the N rows.
# PostgreSQL runs with its defaults for durability (fsync and synchronous_commit on, as the embedded one the product
# starts), max_connections 50; the load (phase 2) alone turns synchronous_commit off for its session.
# Output: tables on stdout; plans, logs and RESULT lines under bench/out/event-store/<time>/.
# Nothing is pinned: PostgreSQL and the JVM share the machine's cores (the write path is PostgreSQL's commit, the
# JVM's journal thread and the writer thread, all at once).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
rows=10000000 months=5 write_seconds=20 write_rounds=5 write_warmup=15 batch=500 reps=21
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --months) months="$2"; shift 2 ;;
    --write-seconds) write_seconds="$2"; shift 2 ;;
    --write-rounds) write_rounds="$2"; shift 2 ;;
    --write-warmup) write_warmup="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$rows" "$months" "$write_seconds" "$write_rounds" "$write_warmup" "$batch" "$reps"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "options take whole numbers" >&2; exit 2; }
done
[ "$months" -ge 1 ] && [ "$months" -le 11 ] || { echo "--months: 1..11 (the retention is 12 months)" >&2; exit 2; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- PostgreSQL (as scripts/test-services.sh does it)
find_pg() { # the newest /usr/lib/postgresql/<version>/bin with everything we run
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] && { echo "$d"; return 0; }
  done
}
pg_bin="$(find_pg)"
if [ -z "$pg_bin" ]; then
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root: apt-get install postgresql"
  log "installing postgresql from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin="$(find_pg)"; [ -n "$pg_bin" ] || die "postgresql installed, but no /usr/lib/postgresql/*/bin found"
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/event-store/$stamp"; mkdir -p "$out"
pgdir="$(mktemp -d "${TMPDIR:-/tmp}/foss-infra-bench-pg.XXXXXX")"; chmod 755 "$pgdir"
pg_data="$pgdir/data"; pg_sock="$pgdir/socket"
DRIVER_PID=""
cleanup() {
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null || true
  if [ -f "$pg_data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pgdir"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

mkdir -p "$pg_data" "$pg_sock"; chmod 700 "$pg_data"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$pgdir"
as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
  > "$out/initdb.log" 2>&1 || die "initdb failed; see $out/initdb.log"
pg_port=""
for attempt in 1 2 3 4 5; do
  p=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
  if as_pg "$pg_bin/pg_ctl" -D "$pg_data" -w -t 30 -l "$pgdir/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $p -k $pg_sock -c max_connections=50" start >/dev/null 2>&1; then
    pg_port="$p"; break
  fi
done
[ -n "$pg_port" ] || die "PostgreSQL did not start: $(tail -n 5 "$pgdir/server.log" 2>/dev/null)"
password="$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
psql_su() { as_pg "$pg_bin/psql" -X -q -h "$pg_sock" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql_su -d postgres -c "CREATE ROLE foss_bench LOGIN PASSWORD '$password'" -c "CREATE DATABASE foss_bench OWNER foss_bench" \
  >/dev/null
psql_db() { psql_su -d foss_bench "$@"; }
export BENCH_PG_HOST=127.0.0.1 BENCH_PG_PORT="$pg_port" BENCH_PG_DATABASE=foss_bench BENCH_PG_USER=foss_bench \
  BENCH_PG_PASSWORD="$password"
pg_version="$("$pg_bin/postgres" --version)"
log "$pg_version on 127.0.0.1:$pg_port (data in $pg_data)"

# ---------------------------------------------------------------- the driver, compiled against the built classes (a copy)
log "building (mvn package -DskipTests) if target/ is missing or older than the sources"
if [ "${FOSS_INFRA_SKIP_BUILD:-}" != 1 ] && { [ ! -f "$repo/target/foss-infra.jar" ] || [ ! -d "$repo/target/lib" ] \
    || [ -n "$(find "$repo/src" "$repo/pom.xml" -newer "$repo/target/foss-infra.jar" -print -quit 2>/dev/null)" ]; }; then
  (cd "$repo" && mvn -B -q -o package -DskipTests > "$out/build.log" 2>&1) || die "build failed; see $out/build.log"
fi
[ -d "$repo/target/classes/org/fossinfra/store" ] && [ -d "$repo/target/lib" ] \
  || die "no target/classes or target/lib: build with mvn package -DskipTests"
app="$out/app"; mkdir -p "$app/bench-classes"
cp -r "$repo/target/classes" "$repo/target/lib" "$app/"
# shellcheck source=/dev/null
source "$repo/scripts/jdk.sh"
"$JAVA_HOME/bin/javac" -nowarn -d "$app/bench-classes" -cp "$app/classes:$app/lib/*" "$here/event-store/EventStoreBench.java" \
  > "$out/bench-build.log" 2>&1 || die "bench/event-store/EventStoreBench.java does not compile; see $out/bench-build.log"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -n "$(git -C "$repo" status --porcelain -- src pom.xml 2>/dev/null)" ] && commit="$commit+uncommitted changes"
# The driver: the launcher's JVM flags (a bigger heap for the read phase's decoding), and the "events" logger at warn:
# a node logs every event it records at INFO on stdout, a line per event, which at thousands of events a second
# would measure the console rather than the store (events are rare in a node: state changes, actions).
driver() { # args...
  "$JAVA_HOME/bin/java" -Xms8m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Dorg.slf4j.simpleLogger.log.events=warn \
    --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -cp "$app/classes:$app/bench-classes:$app/lib/*" org.fossinfra.store.EventStoreBench "$@" &
  DRIVER_PID=$!
  wait "$DRIVER_PID"; local rc=$?
  DRIVER_PID=""
  return $rc
}

{
  echo "## bench/event-store.sh $stamp"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $pg_version (Debian), defaults but max_connections 50: fsync on, synchronous_commit on, shared_buffers $(psql_db -At -c 'SHOW shared_buffers')"
  echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p)"
  echo "- foss-infra commit $commit"
  echo "- command: bench/event-store.sh --rows $rows --months $months --write-seconds $write_seconds --write-rounds $write_rounds --write-warmup $write_warmup --batch-size $batch --reps $reps"
} | tee "$out/machine.md" >&2

write_phase() { # name
  log "write ($1): ${write_warmup}s warm-up, $write_rounds x ${write_seconds}s, batch size $batch"
  rm -rf "$out/journal-$1"
  driver write --seconds "$write_seconds" --rounds "$write_rounds" --warmup "$write_warmup" --batch-size "$batch" \
    --journal "$out/journal-$1" > "$out/write-$1.out" 2> "$out/write-$1.log" || die "write driver failed; see $out/write-$1.log"
  grep '^RESULT' "$out/write-$1.out" | sed "s/^RESULT /RESULT phase=$1 /" | tee -a "$out/results.txt" >&2
}

# 1. write, empty table (this also makes the schema: the driver starts the product's Database, which migrates)
write_phase empty

# 2. load
log "loading $rows rows over $months monthly partitions (generate_series)"
t0=$(date +%s)
end_ts="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
start_month="$(date -u -d "$(date -u +%Y-%m-01) -$((months - 1)) month" +%Y-%m-01)"
for i in $(seq 0 $((months - 1))); do
  m="$(date -u -d "$start_month +$i month" +%Y-%m-01)"; n="$(date -u -d "$m +1 month" +%Y-%m-01)"
  psql_db -c "CREATE TABLE IF NOT EXISTS events_$(date -u -d "$m" +%Y_%m) PARTITION OF events FOR VALUES FROM ('$m 00:00:00+00') TO ('$n 00:00:00+00')" >/dev/null
done
# Rows evenly spaced from the first instant of the oldest month to now; chunks of 1M rows, one transaction each.
# Types: (g * 7919) mod 10000 (7919 is prime to 10000, so the types interleave rather than come in runs): node.start
# 0.01%, config.reload 10%, server.up 20%, server.down 20%, proxy.retry 50%.
chunk=1000000
for lo in $(seq 1 "$chunk" "$rows"); do
  hi=$((lo + chunk - 1)); [ "$hi" -gt "$rows" ] && hi="$rows"
  psql_db -c "SET synchronous_commit = off" -c "
    INSERT INTO events (created_at, node, seq, event_type, actor, subject, message, data)
    SELECT '$start_month 00:00:00+00'::timestamptz
             + (g - 1) * (('$end_ts'::timestamptz - '$start_month 00:00:00+00'::timestamptz) / $rows),
           'node-' || (g % 3), g,
           CASE WHEN (g::bigint * 7919) % 10000 = 0 THEN 'node.start'
                WHEN (g::bigint * 7919) % 10000 < 1000 THEN 'config.reload'
                WHEN (g::bigint * 7919) % 10000 < 3000 THEN 'server.up'
                WHEN (g::bigint * 7919) % 10000 < 5000 THEN 'server.down'
                ELSE 'proxy.retry' END,
           'health-check', 'app/s' || (g % 50),
           'server app/s' || (g % 50) || ' changed state after 3 checks (event ' || g || ')',
           jsonb_build_object('backend', 'app', 'server', 's' || (g % 50))
    FROM generate_series($lo, $hi) AS g" >/dev/null
  log "  loaded rows $lo..$hi ($(( $(date +%s) - t0 )) s)"
done
psql_db -c "VACUUM ANALYZE events" >/dev/null
load_s=$(( $(date +%s) - t0 ))
log "loaded and analysed in ${load_s}s"
psql_db -At -F ' ' -c "SELECT p.relname, p.n, pg_size_pretty(pg_table_size(p.oid)), pg_size_pretty(pg_indexes_size(p.oid))
  FROM (SELECT tableoid AS oid, tableoid::regclass::text AS relname, count(*) AS n FROM events GROUP BY tableoid) p
  ORDER BY p.relname" > "$out/partitions.txt"
psql_db -At -c "SELECT count(*), pg_size_pretty(sum(pg_table_size(inhrelid))), pg_size_pretty(sum(pg_indexes_size(inhrelid)))
  FROM pg_inherits WHERE inhparent = 'events'::regclass" > "$out/size.txt"
log "partitions (name rows table indexes): $(tr '\n' ';' < "$out/partitions.txt")"

# 3. read
log "read: each query $reps times"
driver read --reps "$reps" --out "$out" > "$out/read.out" 2> "$out/read.log" || die "read driver failed; see $out/read.log"
grep '^RESULT' "$out/read.out" | tee -a "$out/results.txt" >&2

# 4. write again, on the loaded table
write_phase loaded

python3 "$here/event-store/summarize.py" "$out/results.txt" "$out/size.txt" "$load_s" "$rows" "$months" > "$out/table.md"
{ echo; cat "$out/machine.md"; echo; echo "Partitions (name, rows, table, indexes):"; echo; sed 's/^/    /' "$out/partitions.txt";
  echo; cat "$out/table.md"; echo; echo "raw results and plans: $out"; }
