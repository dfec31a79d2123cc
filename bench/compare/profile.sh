#!/usr/bin/env bash
# Profiles foss-infra with JDK Flight Recorder under the comparison's "1 worker x 64 connections" load: the proxy alone
# on CPU 1 (one event loop), wrk -t1 -c64 and the two nginx backends on CPU 0. The recording starts after the warm-up
# (the JIT settles in about 60 s) and lasts --duration seconds, with the 'profile' settings (execution samples every
# 10-20 ms, allocation samples, plus JDK 25's CPU-time sampler). Prints the hot methods, the top allocations and a
# native-memory-tracking summary (where the RSS goes).
#
#   bench/compare/profile.sh [--warmup S] [--duration S] [--conns C] [--path P]
#
# Output under bench/out/profile/<time>/: foss.jfr and the text of each 'jfr' view.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

warmup=60 duration=30 conns=64 path=/
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --conns) conns="$2"; shift 2 ;;
    --path) path="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
ensure_tools
check_ports_free
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/profile/$stamp"; work="$out/work"
mkdir -p "$work"
trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM
prepare_foss "$work"
taskset -p -c 0 $$ >/dev/null
start_backends "$work" 0
jfr_file="$out/foss.jfr"
FOSS_INFRA_JAVA_OPTS="${FOSS_INFRA_JAVA_OPTS:--Xms8m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError} -XX:NativeMemoryTracking=summary -XX:StartFlightRecording=delay=${warmup}s,duration=${duration}s,filename=$jfr_file,settings=profile,jdk.CPUTimeSample#enabled=true" \
  start_foss "$work" 1 10s
log "foss-infra pid $FOSS_PID, $(foss_event_loops "$FOSS_PID") event loop(s); load for ${warmup}s + ${duration}s recorded"
secs=$((warmup + duration + 3))
timeout -k 5 $((secs + 30)) taskset -c 0 wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$here/report.lua" \
  "http://127.0.0.1:$BENCH_FOSS_PORT$path" > "$out/wrk.txt" 2>&1
grep -E 'Requests/sec|^RESULT' "$out/wrk.txt" >&2 || true
# Where the RSS goes (native memory tracking, sampled right after the load; NMT costs a little, only here).
awk '/VmRSS/ {print "RSS after the load: " $2 " KiB"}' "/proc/$FOSS_PID/status" > "$out/nmt-summary.txt"
"$JAVA_HOME/bin/jcmd" "$FOSS_PID" VM.native_memory summary >> "$out/nmt-summary.txt" 2>&1 || true
for _ in $(seq 100); do [ -s "$jfr_file" ] && break; sleep 0.2; done
sleep 2
untrack_stop "$FOSS_PID"
[ -s "$jfr_file" ] || die "no recording at $jfr_file; see $work/foss/foss-infra.log"
jfr="$JAVA_HOME/bin/jfr"
"$jfr" summary "$jfr_file" > "$out/summary.txt"
for v in hot-methods cpu-time-hot-methods allocation-by-class allocation-by-site exception-by-site thread-cpu-load gc cpu-load; do
  "$jfr" view --width 200 "$v" "$jfr_file" > "$out/view-$v.txt" 2>&1 || true
done
"$jfr" print --stack-depth 64 --events jdk.ExecutionSample "$jfr_file" > "$out/execution-samples.txt"
"$jfr" print --stack-depth 64 --events jdk.ObjectAllocationSample "$jfr_file" > "$out/allocation-samples.txt"
# From the raw samples: top frames by self and inclusive time, and for the hottest frames and allocation sites the
# foss-infra code (org.fossinfra.*) that leads to them.
python3 "$here/jfr_stacks.py" "$out/execution-samples.txt" "$out/allocation-samples.txt" > "$out/top-frames.txt"
{
  echo "== jfr view hot-methods"; head -n 30 "$out/view-hot-methods.txt"
  echo; echo "== jfr view cpu-time-hot-methods (JDK 25 CPU-time sampler)"; head -n 30 "$out/view-cpu-time-hot-methods.txt"
  echo; echo "== jfr view thread-cpu-load"; head -n 15 "$out/view-thread-cpu-load.txt"
  echo; echo "== jfr view exception-by-site"; head -n 15 "$out/view-exception-by-site.txt"
  echo; echo "== jfr view allocation-by-class"; head -n 25 "$out/view-allocation-by-class.txt"
  echo; echo "== jfr view allocation-by-site"; head -n 25 "$out/view-allocation-by-site.txt"
  echo; echo "== jfr view gc (first lines)"; head -n 15 "$out/view-gc.txt"
  echo; cat "$out/top-frames.txt"
  echo; echo "== native memory (NMT summary, committed)"; grep -E 'RSS after|^Total|^-  *[A-Z].*committed=' "$out/nmt-summary.txt" | sed 's/(reserved=[0-9]*KB, //' | head -n 25
} | tee "$out/report.txt"
echo "recording and views: $out"
