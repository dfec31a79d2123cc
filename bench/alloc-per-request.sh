#!/usr/bin/env bash
# Heap allocation per proxied request: foss-infra alone on CPU 1 (one event loop), wrk -t1 and the two nginx backends
# of bench/compare on CPU 0, "/" (200 "ok") over keep-alive connections. After a warm-up, the JVM's own per-thread
# allocation counters (jcmd Thread.print -e, "allocated=") are read just before and just after a measured wrk run; the
# difference over the requests wrk counted is the allocation per request, for the busiest thread (the event loop that
# carries the traffic) and for all threads together (the 1 Hz telemetry, timers and the JIT's own threads included).
# The data plane aims at none: no per-request allocation that escape analysis cannot remove.
#
#   bench/alloc-per-request.sh [--warmup S] [--duration S] [--conns C] [--rounds N]
#
# The same build that bench/compare.sh would run (./foss-infra builds it; BENCH_FOSS_APP=DIR takes another copy, e.g.
# an earlier commit's target/). Output: one line per round and the median, on stdout; logs under
# bench/out/alloc/<time>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=compare/common.sh
source "$here/compare/common.sh"

warmup=60 duration=10 conns=64 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for v in "$warmup" "$duration" "$conns" "$rounds"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "--warmup, --duration, --conns and --rounds take whole numbers"
done
ensure_tools
check_ports_free
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/alloc/$stamp"; work="$out/work"
mkdir -p "$work"
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM
prepare_foss "$work"
taskset -p -c 0 $$ >/dev/null
start_backends "$work" 0
start_foss "$work" 1 10s
log "foss-infra pid $FOSS_PID ($FOSS_COMMIT), $(foss_event_loops "$FOSS_PID") event loop(s)"
url="http://127.0.0.1:$BENCH_FOSS_PORT/"

# Prints "busiest_bytes total_bytes" from the JVM's per-thread allocation counters ("allocated=123K").
allocated() {
  "$JAVA_HOME/bin/jcmd" "$FOSS_PID" Thread.print -e 2>/dev/null | python3 -c '
import re, sys
units = {"B": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
each = {}
for line in sys.stdin:
    m = re.match(r"\"(.*?)\" .*? allocated=(\d+)([BKMG])", line)
    if m:
        each[m.group(1)] = each.get(m.group(1), 0) + int(m.group(2)) * units[m.group(3)]
busiest = max(each, key=each.get)
print(each[busiest], sum(each.values()), busiest.replace(" ", "_"))
'
}

log "warm-up: ${warmup}s of wrk -c$conns"
wrk -t1 -c"$conns" -d"${warmup}s" "$url" > "$out/warmup.txt"
results=()
for r in $(seq 1 "$rounds"); do
  read -r busy0 total0 _ <<< "$(allocated)"
  wrk -t1 -c"$conns" -d"${duration}s" "$url" > "$out/round$r.txt"
  read -r busy1 total1 thread <<< "$(allocated)"
  requests="$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$out/round$r.txt")"
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || die "wrk reported no requests (see $out/round$r.txt)"
  line="$(python3 -c "print(f'{($busy1-$busy0)/$requests:.2f} {($total1-$total0)/$requests:.2f}')")"
  results+=("$line")
  log "round $r: $requests requests; bytes per request: $thread ${line% *}, all threads ${line#* }"
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
print(f"commit '"$FOSS_COMMIT"': median bytes allocated per request over {len(rows)} rounds: "
      f"event loop {statistics.median(r[0] for r in rows):.2f}, all threads {statistics.median(r[1] for r in rows):.2f}")
' | tee "$out/result.txt"
