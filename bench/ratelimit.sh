#!/usr/bin/env bash
# Rate limits: what checking a per-client rule costs the proxy, on the local store and on Redis, against no rule, in
# one run; and how fast refused requests (429) come back. Installs nginx, wrk, redis-server (Debian) when missing.
#
#   bench/ratelimit.sh [--rounds N] [--duration S] [--warmup S] [--case-warmup S] [--connections C] [--clients K]
#                      [--variants LIST]
#
#   --rounds N       interleaved rounds, A B C D E A B C D E ... (default 5, at least 1)
#   --duration S     seconds per measured wrk run (default 10)
#   --warmup S       seconds of load on each foss-infra after it starts (default 60: the JIT's settling time)
#   --case-warmup S  unmeasured seconds of load on each variant just before the rounds (default 5)
#   --connections C  wrk connections (default 64)
#   --clients K      client source addresses, 127.0.0.2 .. 127.0.0.<K+1> (default 16): the rule's keys
#   --variants LIST  comma-separated, from none,local,redis,local-429,redis-429 (default: all)
#
# A refusal closes the connection (429 with Retry-After, then close, as HAProxy's http-request deny), so in the -429
# variants wrk reconnects after every answer: their figures include a TCP connect per request.
# Variants: one foss-infra each, all running at once on their own ports, identical but for the rate-limit rule:
#   none        no rule (the reference)
#   local       rule 'per-client' (token-bucket, key client-address, rate 1000000/s, burst 1000000), store local
#   redis       the same rule with store: redis (redis-server on 127.0.0.1, no persistence; timeout 50ms, fail open)
#   local-429   the same rule with rate 1/s, burst 1, store local: almost every request is refused with 429
#   redis-429   the same, store redis
# The limit of 'local' and 'redis' is far above what one core can serve, so nothing is refused: what is measured is
# the cost of the check, not of 429s. The -429 variants show how fast a refusal comes back.
# Clients: wrk binds each connection to one of K loopback source addresses (bench/ratelimit/srcaddr.c, an LD_PRELOAD
# shim built here with gcc), so the rule sees K clients, as a rule keyed on the client address would in production.
# Pinning as compare.sh's 1-worker case: wrk (-t1), both nginx backends and redis-server on CPU 0, every foss-infra
# alone on CPU 1 (one event loop each, checked). Redis shares CPU 0 with the load generator: on a real network it
# would be on another host; the proxy's "CPU per request" is the figure that does not depend on where Redis runs.
# Checks before measuring: each variant answers as intended (200, or 429 for the -429 ones); during every Redis run
# the Redis script calls (EVALSHA) are counted and reported per request, so that a rule failing open (Redis not asked)
# cannot pass for a cheap one.
# Output: the table on stdout; raw wrk output, configs, logs and results.tsv under bench/out/ratelimit/<time>/.
# foss-infra runs with the launcher's JVM flags from a copy of target/ (as compare.sh; BENCH_FOSS_APP=DIR and
# FOSS_INFRA_SKIP_BUILD=1 work the same way). The node's event store is disabled (database: enabled: false) in every
# variant so that no embedded PostgreSQL shares the cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=compare/common.sh
source "$here/compare/common.sh"

rounds=5 duration=10 warmup=60 case_warmup=5 conns=64 clients=16
variants="none,local,redis,local-429,redis-429"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --case-warmup) case_warmup="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --variants) variants="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$duration" "$warmup" "$case_warmup" "$conns" "$clients"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "numeric options take whole numbers"
done
[ "$rounds" -ge 1 ] && [ "$duration" -ge 1 ] && [ "$clients" -ge 1 ] && [ "$clients" -le 250 ] \
  || die "--rounds and --duration must be at least 1, --clients 1..250"
[ "$rounds" -ge 5 ] || log "note: fewer than 5 rounds; the issue asks for at least 5"
IFS=, read -r -a variant_list <<< "$variants"

BENCH_REDIS_PORT="${BENCH_REDIS_PORT:-18920}"
variant_port() {
  case "$1" in none) echo 18921 ;; local) echo 18922 ;; redis) echo 18923 ;; local-429) echo 18924 ;;
    redis-429) echo 18925 ;; *) die "unknown variant '$1' (known: none,local,redis,local-429,redis-429)" ;; esac
}
for v in "${variant_list[@]}"; do variant_port "$v" >/dev/null; done

ensure_tools
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "redis-server is missing and installing it needs root: apt-get install redis-server"
  log "installing redis-server from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
command -v gcc >/dev/null 2>&1 || die "gcc is needed to build the source-address shim (apt-get install gcc)"
for p in "$BENCH_B1_PORT" "$BENCH_B2_PORT" "$BENCH_REDIS_PORT" 18921 18922 18923 18924 18925; do
  port_free "$p" || die "port $p on 127.0.0.1 is in use; stop what uses it or change the BENCH_* ports"
done

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/ratelimit/$stamp"; work="$out/work"; raw="$out/raw"
mkdir -p "$work" "$raw"
trap 'stop_all' EXIT
trap 'log "interrupted; stopping what this script started"; exit 130' INT TERM
prepare_foss "$work"
gcc -shared -fPIC -O2 -o "$work/srcaddr.so" "$here/ratelimit/srcaddr.c" -ldl || die "building the shim failed"
# wrk script: a request as wrk makes it, plus report.lua's machine-readable summary line.
cp "$here/compare/report.lua" "$work/report.lua"

# The launcher's JVM flags (./foss-infra): FOSS_INFRA_JAVA_OPTS replaces the heap/GC part, as there.
foss_flags="${FOSS_INFRA_JAVA_OPTS:--Xms8m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"
foss_fixed="--enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true --sun-misc-unsafe-memory-access=allow"

{
  echo "## bench/ratelimit.sh $stamp"
  echo
  machine_header | grep -v -e '^- HAProxy' -e '^- foss-infra:'
  echo "- foss-infra: $("$JAVA_HOME/bin/java" -jar "$FOSS_SNAPSHOT/foss-infra.jar" --version 2>&1 | head -n1) (commit $FOSS_COMMIT), JVM flags: $foss_flags $foss_fixed"
  echo "- $(redis-server --version | sed 's/ sha=.*//')"
  echo "- command: bench/ratelimit.sh --rounds $rounds --duration $duration --warmup $warmup --case-warmup $case_warmup --connections $conns --clients $clients --variants $variants"
} | tee "$out/machine.md" >&2

start_redis() { # cpus
  local dir="$work/redis"; mkdir -p "$dir"
  taskset -c "$1" redis-server --bind 127.0.0.1 --port "$BENCH_REDIS_PORT" --save "" --appendonly no \
    --daemonize no --dir "$dir" --logfile "$dir/redis.log" > "$dir/stdout.log" 2>&1 &
  REDIS_PID=$!; track "$REDIS_PID"
  local i
  for i in $(seq 100); do
    [ "$(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  die "redis-server did not start; see $dir/redis.log"
}
redis_commands() { # script calls (EVALSHA/EVAL) Redis has run so far: one per rate-limit check
  redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" info commandstats \
    | awk -F'[:=,]' '/^cmdstat_(evalsha|eval):/ {n += $3} END {print n + 0}'
}

start_variant() { # variant cpus: one foss-infra with this variant's rule; sets PID_<variant>
  local v="$1" cpus="$2" port dir rule="" store="local" rate="1000000/s" burst=1000000 refs=""
  port="$(variant_port "$v")"; dir="$work/foss-$v"; mkdir -p "$dir"
  case "$v" in redis|redis-429) store=redis ;; esac
  case "$v" in *-429) rate="1/s"; burst=1 ;; esac
  if [ "$v" != none ]; then
    rule="rate-limits:
  - name: per-client
    policy: token-bucket
    rate: $rate
    burst: $burst
    key: client-address
    store: $store"
    refs="    rate-limits: per-client"
  fi
  cat > "$dir/foss-infra.yaml" <<YAML
node:
  name: bench-$v
  data-dir: $dir/data
database:
  enabled: false        # no embedded PostgreSQL on the cores under test
redis:
  address: 127.0.0.1:$BENCH_REDIS_PORT
  timeout: 50ms         # the default
  on-failure: open      # the default
  key-prefix: "bench-$v:"   # each variant its own keys
$rule
timeouts:
  connect: 5s
  client: 10s
  server: 60s
  http-request: 10s
  queue: 30s
  keep-alive: 10s
frontends:
  - name: fe
    bind: 127.0.0.1:$port
    default-backend: app
    forwarded-for: append
    forwarded-proto: false
$refs
backends:
  - name: app
    balance: roundrobin
    pool:
      max-idle-per-server: 1024
      idle-timeout: 30s
    servers:
      - { name: b1, address: "127.0.0.1:$BENCH_B1_PORT" }
      - { name: b2, address: "127.0.0.1:$BENCH_B2_PORT" }
YAML
  local opts fixed pid
  # shellcheck disable=SC2206
  opts=($foss_flags); fixed=($foss_fixed)
  taskset -c "$cpus" "$JAVA_HOME/bin/java" "${opts[@]}" "${fixed[@]}" \
    -jar "$FOSS_SNAPSHOT/foss-infra.jar" run -c "$dir/foss-infra.yaml" > "$dir/foss-infra.log" 2>&1 &
  pid=$!; track "$pid"
  eval "PID_${v//-/_}=$pid"
}
variant_pid() { local n="PID_${1//-/_}"; echo "${!n}"; }

wait_variant() { # variant: waits until it answers at all (200 or 429), checks the event loops
  local v="$1" port code i
  port="$(variant_port "$v")"
  for i in $(seq 600); do
    code="$(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$port/" 2>/dev/null || true)"
    case "$code" in 200|429) break ;; esac
    sleep 0.1
  done
  case "$code" in 200|429) ;; *) die "foss-infra ($v) did not answer; see $work/foss-$v/foss-infra.log" ;; esac
  # The node's own count (its log line): the service checks run on a Vert.x loop of their own, which the thread
  # count of foss_event_loops would include.
  for i in $(seq 100); do grep -q '(transport .*event loops)' "$work/foss-$v/foss-infra.log" && break; sleep 0.1; done
  grep -q '(transport [a-z_]*, 1 event loops)' "$work/foss-$v/foss-infra.log" \
    || die "foss-infra ($v) did not start with 1 event loop (pinned to one CPU): $(grep -o '(transport.*)' "$work/foss-$v/foss-infra.log")"
}

sanity_variant() { # variant: 200s for the generous rules, 429 after the first request for the tight ones
  local v="$1" port codes="" i
  port="$(variant_port "$v")"
  for i in 1 2 3 4 5; do codes="$codes$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port/") "; done
  case "$v" in
    *-429) case "$codes" in *429*) ;; *) die "$v: expected 429s, got: $codes" ;; esac ;;
    *) [ "$codes" = "200 200 200 200 200 " ] || die "$v: expected five 200s, got: $codes" ;;
  esac
  [ "$(curl -s -m 5 -H 'X-Forwarded-For: 10.9.9.9' "http://127.0.0.1:$port/xff")" != "" ] || [ "${v%-429}" != "$v" ] \
    || die "$v: /xff answered nothing"
  log "sanity $v: $codes"
}

run_wrk() { # variant secs file: wrk from K source addresses on CPU 0; the proxy's CPU; Redis commands; sets W_*
  local v="$1" secs="$2" file="$3" port pid t0 t1 s0 s1 r0 r1 b0 b1 k0 k1 own0 own1 line wpid peak=0 r
  port="$(variant_port "$v")"; pid="$(variant_pid "$v")"
  kill -0 "$pid" 2>/dev/null || die "foss-infra ($v, pid $pid) is not running any more"
  r0="$(redis_commands)"; t0="$(cpu_ticks "$pid")"; s0="$(date +%s%N)"
  b0="$(busy_ticks)"; k0="$(reaped_children_ticks)"
  own0=$(($(cpu_ticks "$BACKEND1_PID") + $(cpu_ticks "$BACKEND2_PID") + $(cpu_ticks "$REDIS_PID")))
  SRCADDR_COUNT="$clients" LD_PRELOAD="$work/srcaddr.so" timeout -k 5 $((secs + 60)) taskset -c 0 \
    wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$work/report.lua" "http://127.0.0.1:$port/" \
    > "$file" 2>&1 &
  wpid=$!
  while kill -0 "$wpid" 2>/dev/null; do
    r="$(rss_kb "$pid")"; [ "$r" -gt "$peak" ] && peak="$r"
    sleep 0.5
  done
  wait "$wpid" || log "wrk exited non-zero for $v ($file)"
  t1="$(cpu_ticks "$pid")"; s1="$(date +%s%N)"; r1="$(redis_commands)"
  b1="$(busy_ticks)"; k1="$(reaped_children_ticks)"
  own1=$(($(cpu_ticks "$BACKEND1_PID") + $(cpu_ticks "$BACKEND2_PID") + $(cpu_ticks "$REDIS_PID")))
  line="$(grep '^RESULT ' "$file" || true)"
  [ -n "$line" ] || die "no result from wrk for $v; see $file"
  eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^\([a-z0-9_]*\)=/local_\1=/')"
  # shellcheck disable=SC2154
  W_RPS="$(awk -v n="$local_requests" -v d="$local_duration_us" 'BEGIN {printf "%.1f", n / (d / 1e6)}')"
  W_P50="$local_p50_us"; W_P99="$local_p99_us"; W_REQ="$local_requests"; W_STATUS="$local_status"
  W_ERR=$((local_connect + local_read + local_write + local_timeout))
  W_RSS="$peak"; W_REDIS=$((r1 - r0))
  W_CPU="$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) 'BEGIN {printf "%.0f", 100 * t / hz / (ns / 1e9)}')"
  W_OTHER="$(awk -v t=$(( (b1 - b0) - (t1 - t0) - (own1 - own0) - (k1 - k0) )) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) \
    'BEGIN {v = 100 * t / hz / (ns / 1e9); printf "%.0f", v < 0 ? 0 : v}')"
}

results="$out/results.tsv"
printf 'variant\tround\trps\tp50_us\tp99_us\tsocket_errors\tnon2xx\trequests\tredis_cmds\tcpu_pct\trss_kb\tother_cpu_pct\n' > "$results"

taskset -p -c 0 $$ >/dev/null   # this script's own sampling shares the client's core
log "backends, redis-server and wrk on CPU 0; every foss-infra on CPU 1"
start_backends "$work" 0
start_redis 0
for v in "${variant_list[@]}"; do start_variant "$v" 1; done
for v in "${variant_list[@]}"; do wait_variant "$v"; sanity_variant "$v"; done
# one request from a source address other than 127.0.0.1 through the shim, to be sure it binds
SRCADDR_COUNT=3 LD_PRELOAD="$work/srcaddr.so" curl -s -o /dev/null "http://127.0.0.1:$BENCH_B1_PORT/" \
  || die "the source-address shim breaks connects"

if [ "$warmup" -gt 0 ]; then
  for v in "${variant_list[@]}"; do
    log "warm-up: $v, ${warmup}s"
    run_wrk "$v" "$warmup" "$raw/warmup-$v.txt"
    log "  warm-up $v: $(printf '%.0f' "$W_RPS") req/s, p99 ${W_P99} us, non-2xx $W_STATUS"
  done
fi
if [ "$case_warmup" -gt 0 ]; then
  for v in "${variant_list[@]}"; do run_wrk "$v" "$case_warmup" "$raw/settle-$v.txt"; done
fi
for r in $(seq "$rounds"); do
  for v in "${variant_list[@]}"; do
    run_wrk "$v" "$duration" "$raw/$v-r$r.txt"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$r" "$W_RPS" "$W_P50" "$W_P99" "$W_ERR" \
      "$W_STATUS" "$W_REQ" "$W_REDIS" "$W_CPU" "$W_RSS" "$W_OTHER" >> "$results"
    log "round $r $v: $(printf '%.0f' "$W_RPS") req/s, p50 ${W_P50} us, p99 ${W_P99} us, socket errors $W_ERR, non-2xx $W_STATUS, Redis commands $W_REDIS, CPU ${W_CPU}%, other load ${W_OTHER}%"
  done
done
# Keys the rule made: one per client address, proof that the shim spread the clients. A token bucket's key expires
# once the bucket would be full again, so the generous rule's keys are gone a second after its last round; the
# -429 rule's (rate 1/s, burst 1) stay a second too, so look right after its run.
redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT" --scan --pattern '*' > "$out/redis-keys.txt" 2>/dev/null || true
log "Redis keys right after the last round: $(wc -l < "$out/redis-keys.txt") (at most $clients, one per client address; a key expires a second after its bucket is full again)"
stop_all

python3 "$here/ratelimit/summarize.py" "$results" > "$out/table.md"
{ echo; cat "$out/machine.md"; echo; cat "$out/table.md"; echo; echo "raw results: $out"; }
