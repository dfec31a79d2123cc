#!/usr/bin/env bash
# A backend killed under load: wrk against a proxy in front of two nginx backends, one backend SIGKILLed mid-run, and
# how many requests failed. Every request is an idempotent GET, so a proxy that retries what may be retried (no
# response byte received yet) loses none; nginx (proxy_next_upstream error timeout, its default) is the reference.
# Installs haproxy, nginx and wrk from Debian when missing (bench/compare/common.sh). Loopback only; every process it
# starts is tracked by PID and stopped on exit; each run is bounded by wrk's duration plus a minute.
#
#   bench/backend-kill.sh [--runs N] [--duration S] [--kill-at S] [--connections C] [--proxies LIST]
#
#   --runs N         runs per proxy, interleaved (default 3)
#   --duration S     seconds of load per run (default 10)
#   --kill-at S      second of the run at which backend 1 (nginx master and worker) gets SIGKILL (default 3)
#   --connections C  wrk connections (default 64), over 2 wrk threads
#   --proxies LIST   comma-separated, from foss-infra,nginx,haproxy (default foss-infra,nginx)
#
# Nothing is pinned: the proxy, the backends and wrk share the machine's cores (a robustness test, not a benchmark).
# No health check runs in any proxy, so every request meant for the dead backend relies on the proxy's own retry: the
# worst case, the seconds before a check would mark it down.
# BENCH_FOSS_APP=DIR runs an earlier foss-infra build (DIR holds foss-infra.jar and lib/), e.g. to measure before a fix.
# Output: one line per run on stdout ("proxy run requests non2xx connect read write timeout"), the raw wrk output,
# configs and logs under bench/out/backend-kill/<time>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Ports of their own, so that this can't meet a bench/compare.sh run's processes.
export BENCH_B1_PORT="${BENCH_B1_PORT:-18941}" BENCH_B2_PORT="${BENCH_B2_PORT:-18942}"
export BENCH_HAP_PORT="${BENCH_HAP_PORT:-18951}" BENCH_NGX_PORT="${BENCH_NGX_PORT:-18952}"
export BENCH_FOSS_PORT="${BENCH_FOSS_PORT:-18953}" BENCH_FOSS_ALT_PORT="${BENCH_FOSS_ALT_PORT:-18954}"
# shellcheck source=compare/common.sh
source "$here/compare/common.sh"

runs=3 duration=10 kill_at=3 conns=64 proxies="foss-infra,nginx"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --kill-at) kill_at="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --proxies) proxies="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$runs" "$duration" "$kill_at" "$conns"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "--runs, --duration, --kill-at and --connections take whole numbers"
done
[ "$kill_at" -lt "$duration" ] || die "--kill-at ($kill_at) must come before the end of the run ($duration s)"
IFS=, read -r -a proxy_list <<< "$proxies"
for p in "${proxy_list[@]}"; do
  case "$p" in foss-infra|nginx|haproxy) ;; *) die "unknown proxy '$p' (known: foss-infra,nginx,haproxy)" ;; esac
done

ensure_tools
check_ports_free
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/backend-kill/$stamp"; work="$out/work"
mkdir -p "$work"
trap 'stop_all' EXIT
trap 'log "interrupted; stopping what this script started"; exit 130' INT TERM
for p in "${proxy_list[@]}"; do [ "$p" = foss-infra ] && prepare_foss "$work"; done
all=0-$(($(nproc) - 1))

kill_backend1() { # SIGKILL to nginx backend 1, master and worker at once, as an OOM kill or a crash would
  local pids
  pids="$(pids_tree "$BACKEND1_PID" | tr '\n' ' ')"
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  log "backend 1 killed (pids $pids)"
}

printf 'proxy\trun\trequests\tnon2xx\tconnect\tread\twrite\ttimeout\n' | tee "$out/results.tsv"
for r in $(seq "$runs"); do
  for p in "${proxy_list[@]}"; do
    dir="$work/run$r-$p"; mkdir -p "$dir"
    start_backends "$dir" "$all"
    case "$p" in
      foss-infra) start_foss "$dir" "$all" 10s ;;
      nginx) start_nginx "$dir" 1 "$all" 10s ;;
      haproxy) start_haproxy "$dir" 1 "$all" 10s 4096 ;;
    esac
    file="$dir/wrk.txt"
    timeout -k 5 $((duration + 60)) wrk -t2 -c"$conns" -d"${duration}s" --timeout 10s --latency \
      -s "$here/compare/report.lua" "http://127.0.0.1:$(proxy_port "$p")/" > "$file" 2>&1 &
    wpid=$!
    sleep "$kill_at"
    kill_backend1
    wait "$wpid" || log "wrk exited non-zero for $p ($file)"
    line="$(grep '^RESULT ' "$file" || true)"
    [ -n "$line" ] || die "no result from wrk for $p; see $file"
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^\([a-z0-9_]*\)=/w_\1=/')"
    # shellcheck disable=SC2154
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$r" "$w_requests" "$w_status" "$w_connect" "$w_read" "$w_write" \
      "$w_timeout" | tee -a "$out/results.tsv"
    stop_all
  done
done
log "results in $out/results.tsv"
