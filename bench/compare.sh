#!/usr/bin/env bash
# Data-plane comparison: foss-infra against HAProxy and nginx, in the same run, on the same cores, against the same two
# nginx backends. Installs haproxy, nginx and wrk from Debian when missing.
#
#   bench/compare.sh [--rounds N] [--duration S] [--warmup S] [--case-warmup S] [--cases LIST] [--proxies LIST]
#
#   --rounds N       interleaved rounds per case, A B C A B C ... (default 5, at least 1; the issue asks for >= 5)
#   --duration S     seconds per measured wrk run (default 10)
#   --warmup S       seconds of load on each proxy after it starts, before any case (default 60: the JIT's settling
#                    time; HAProxy and nginx get the same)
#   --case-warmup S  unmeasured seconds of each case's load on each proxy before its rounds (default 5)
#   --cases LIST     comma-separated, from 1x64,1x256,2x64,2x256,10k,1m (default: all)
#   --proxies LIST   comma-separated, from haproxy,nginx,foss-infra,foss-infra-alt (default: the first three).
#                    foss-infra-alt is the same build started with the JVM flags in FOSS_INFRA_ALT_JAVA_OPTS, to compare
#                    two flag sets in one run (foss-infra itself takes FOSS_INFRA_JAVA_OPTS, as the launcher does);
#                    FOSS_INFRA_ALT_AOT=0 starts it without the start-up cache. With BENCH_FOSS_ALT_APP=DIR (a copy of
#                    an earlier build's target/: foss-infra.jar, lib/, COMMIT), foss-infra-alt is that build instead,
#                    with the same flags: a before/after of a change, interleaved round by round in one run
#
# Cases: NxC = N workers (HAProxy nbthread, nginx worker_processes, foss-infra event loops) and C connections on "/"
# (200 "ok"); 10k = 1 worker, 64 connections, a 10 KiB body; 1m = 1 worker, 16 connections, a 1 MiB body.
# Pinning: 1-worker cases put wrk (-t1) and the backends on CPU 0 and the proxy alone on CPU 1 (foss-infra then sees
# one processor and starts one event loop); 2-worker cases give everything both cores (wrk -t2).
# Output: the table on stdout; raw wrk output, configs, logs and results.tsv under bench/out/compare/<time>/.
# The proxies' RSS is sampled every 0.5 s during each run (summed over master and workers) and the peak reported;
# "proxy CPU" is its CPU time during the run over the run's length (100% = one core), "CPU per request" that time
# over the requests served (the figure a busy neighbour disturbs least); "other load" is the CPU that everything else
# on the machine used meanwhile (not the proxy, backends or wrk): on a shared machine, the noise. A second table keeps
# only the quiet rounds (other load < 15%).
# foss-infra is built with ./foss-infra if needed and run from a copy of target/; BENCH_FOSS_APP=DIR runs an earlier
# copy instead (e.g. bench/out/compare/<time>/work/foss-app), FOSS_INFRA_SKIP_BUILD=1 takes target/ as it is.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=compare/common.sh
source "$here/compare/common.sh"

rounds=5 duration=10 warmup=60 case_warmup=5
cases="1x64,1x256,2x64,2x256,10k,1m"
proxies="haproxy,nginx,foss-infra"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --case-warmup) case_warmup="$2"; shift 2 ;;
    --cases) cases="$2"; shift 2 ;;
    --proxies) proxies="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$rounds" "$duration" "$warmup" "$case_warmup"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "--rounds, --duration, --warmup and --case-warmup take whole numbers"
done
[ "$rounds" -ge 1 ] && [ "$duration" -ge 1 ] || die "--rounds and --duration must be at least 1"
[ "$rounds" -ge 5 ] || log "note: fewer than 5 rounds; the issue asks for at least 5"

case_def() { # name -> "workers connections path"
  case "$1" in
    1x64) echo "1 64 /" ;; 1x256) echo "1 256 /" ;; 2x64) echo "2 64 /" ;; 2x256) echo "2 256 /" ;;
    10k) echo "1 64 /10k" ;; 1m) echo "1 16 /1m" ;;
    *) die "unknown case '$1' (known: 1x64,1x256,2x64,2x256,10k,1m)" ;;
  esac
}
IFS=, read -r -a case_list <<< "$cases"
IFS=, read -r -a proxy_list <<< "$proxies"
for c in "${case_list[@]}"; do case_def "$c" >/dev/null; done
for p in "${proxy_list[@]}"; do
  case "$p" in haproxy|nginx|foss-infra|foss-infra-alt) ;; *) die "unknown proxy '$p' (known: haproxy,nginx,foss-infra,foss-infra-alt)" ;; esac
done

ensure_tools
check_ports_free
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/compare/$stamp"; work="$out/work"; raw="$out/raw"
mkdir -p "$work" "$raw"
trap 'stop_all' EXIT
trap 'log "interrupted; stopping what this script started"; exit 130' INT TERM
prepare_foss "$work"

{
  echo "## bench/compare.sh $stamp"
  echo
  machine_header
  echo "- command: bench/compare.sh --rounds $rounds --duration $duration --warmup $warmup --case-warmup $case_warmup --cases $cases --proxies $proxies"
} | tee "$out/machine.md" >&2

results="$out/results.tsv"
printf 'case\tproxy\tround\trps\tp50_us\tp99_us\terrors\terr_detail\trss_kb\tcpu_pct\tmbps\trequests\tbytes\tother_cpu_pct\n' > "$results"

run_wrk() { # proxy workers conns path secs file: runs wrk against the proxy, samples its RSS and CPU; sets W_* vars
  local proxy="$1" workers="$2" conns="$3" path="$4" secs="$5" file="$6"
  local port pid cpus threads wpid peak=0 r t0 t1 s0 s1 line b0 b1 k0 k1 own0 own1
  port="$(proxy_port "$proxy")"; pid="$(proxy_pid "$proxy")"
  if [ "$workers" = 1 ]; then cpus=0; threads=1; else cpus=0,1; threads=2; fi
  kill -0 "$pid" 2>/dev/null || die "$proxy (pid $pid) is not running any more"
  t0="$(cpu_ticks "$pid")"; s0="$(date +%s%N)"
  b0="$(busy_ticks)"; k0="$(reaped_children_ticks)"; own0=$(($(cpu_ticks "$BACKEND1_PID") + $(cpu_ticks "$BACKEND2_PID")))
  timeout -k 5 $((secs + 60)) taskset -c "$cpus" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency \
    -s "$here/compare/report.lua" "http://127.0.0.1:$port$path" > "$file" 2>&1 &
  wpid=$!
  while kill -0 "$wpid" 2>/dev/null; do
    r="$(rss_kb "$pid")"; [ "$r" -gt "$peak" ] && peak="$r"
    sleep 0.5
  done
  wait "$wpid" || log "wrk exited non-zero for $proxy ($file)"
  t1="$(cpu_ticks "$pid")"; s1="$(date +%s%N)"
  b1="$(busy_ticks)"; k1="$(reaped_children_ticks)"; own1=$(($(cpu_ticks "$BACKEND1_PID") + $(cpu_ticks "$BACKEND2_PID")))
  line="$(grep '^RESULT ' "$file" || true)"
  [ -n "$line" ] || die "no result from wrk for $proxy; see $file"
  eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^\([a-z0-9_]*\)=/local_\1=/')"
  # shellcheck disable=SC2154
  W_RPS="$(awk -v n="$local_requests" -v d="$local_duration_us" 'BEGIN {printf "%.1f", n / (d / 1e6)}')"
  W_MBPS="$(awk -v b="$local_bytes" -v d="$local_duration_us" 'BEGIN {printf "%.1f", b / 1e6 / (d / 1e6)}')"
  W_P50="$local_p50_us"; W_P99="$local_p99_us"
  W_ERR=$((local_connect + local_read + local_write + local_status + local_timeout))
  W_ERR_DETAIL="connect $local_connect, read $local_read, write $local_write, timeout $local_timeout, non-2xx/3xx $local_status"
  W_RSS="$peak"; W_REQ="$local_requests"; W_BYTES="$local_bytes"
  # CPU used by everything else on the machine during the run (the other proxies idle, other people's work): the
  # machine's busy time less the proxy's, the backends', wrk's and this script's samplers'. 100% = one core.
  W_OTHER="$(awk -v t=$(( (b1 - b0) - (t1 - t0) - (own1 - own0) - (k1 - k0) )) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) \
    'BEGIN {v = 100 * t / hz / (ns / 1e9); printf "%.0f", v < 0 ? 0 : v}')"
  W_CPU="$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v ns=$((s1 - s0)) 'BEGIN {printf "%.0f", 100 * t / hz / (ns / 1e9)}')"
}

for group in 1 2; do
  group_cases=()
  for c in "${case_list[@]}"; do
    read -r w _ _ <<< "$(case_def "$c")"
    [ "$w" = "$group" ] && group_cases+=("$c")
  done
  [ "${#group_cases[@]}" -gt 0 ] || continue
  if [ "$group" = 1 ]; then client_cpus=0; proxy_cpus=1; else client_cpus=0,1; proxy_cpus=0,1; fi
  taskset -p -c "$client_cpus" $$ >/dev/null   # this script's own sampling shares the client's core
  log "=== $group worker(s): backends and wrk on CPU $client_cpus, proxies on CPU $proxy_cpus"
  gwork="$work/w$group"; mkdir -p "$gwork"
  start_backends "$gwork" "$client_cpus"
  for p in "${proxy_list[@]}"; do
    case "$p" in
      haproxy) start_haproxy "$gwork" "$group" "$proxy_cpus" 10s 4096 ;;
      nginx) start_nginx "$gwork" "$group" "$proxy_cpus" 10s ;;
      foss-infra|foss-infra-alt)
        if [ "$p" = foss-infra ]; then start_foss "$gwork" "$proxy_cpus" 10s; else start_foss "$gwork" "$proxy_cpus" 10s alt; fi
        loops="$(foss_event_loops "$(proxy_pid "$p")")"
        log "$p pid $(proxy_pid "$p") runs $loops event loop(s)"
        [ "$loops" = "$group" ] || die "$p started $loops event loops, expected $group (CPU affinity $proxy_cpus)"
        ;;
    esac
    sanity_check "$p"
  done
  if [ "$warmup" -gt 0 ]; then
    for p in "${proxy_list[@]}"; do
      log "warm-up: $p, ${warmup}s, 64 connections on /"
      run_wrk "$p" "$group" 64 / "$warmup" "$raw/warmup-w$group-$p.txt"
      log "  warm-up $p: $(printf '%.0f' "$W_RPS") req/s, p99 $((W_P99 / 1000)).$(((W_P99 % 1000) / 100)) ms"
    done
  fi
  for c in "${group_cases[@]}"; do
    read -r w conns path <<< "$(case_def "$c")"
    if [ "$case_warmup" -gt 0 ]; then
      for p in "${proxy_list[@]}"; do run_wrk "$p" "$w" "$conns" "$path" "$case_warmup" "$raw/settle-$c-$p.txt"; done
    fi
    for r in $(seq "$rounds"); do
      for p in "${proxy_list[@]}"; do
        run_wrk "$p" "$w" "$conns" "$path" "$duration" "$raw/$c-$p-r$r.txt"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$p" "$r" "$W_RPS" "$W_P50" "$W_P99" \
          "$W_ERR" "$W_ERR_DETAIL" "$W_RSS" "$W_CPU" "$W_MBPS" "$W_REQ" "$W_BYTES" "$W_OTHER" >> "$results"
        log "$c round $r $p: $(printf '%.0f' "$W_RPS") req/s, p50 ${W_P50} us, p99 ${W_P99} us, errors $W_ERR, RSS $((W_RSS / 1024)) MiB, CPU ${W_CPU}%, other load ${W_OTHER}%"
      done
    done
  done
  stop_all
done

python3 "$here/compare/summarize.py" "$results" > "$out/table.md"
{ echo; cat "$out/machine.md"; echo; cat "$out/table.md"; echo; echo "raw results: $out"; }
