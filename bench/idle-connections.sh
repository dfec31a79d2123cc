#!/usr/bin/env bash
# Idle keep-alive connections: for each proxy in turn (HAProxy, nginx, foss-infra, one worker on CPU 1; the two nginx
# backends, the clients and wrk on CPU 0), holds N idle keep-alive client connections open, measures the proxy's RSS
# and the latency of new requests meanwhile, then pushes past the proxy's open-file limit and checks that it refuses
# the excess cleanly and accepts again once descriptors free up. See bench/idle/idle_test.py for the phases.
#
#   bench/idle-connections.sh [--count N] [--over M] [--free K] [--warmup S] [--proxies LIST]
#
#   --count N      idle connections to hold (default 19000; the machine caps a process at 20,000 open files)
#   --over M       total connections to push to in the over-the-limit phase (default 20500)
#   --free K       idle connections closed to free descriptors in the recovery phase (default 2000)
#   --warmup S     seconds of load on each proxy before measuring (default 30; foss-infra's JIT)
#   --proxies LIST comma-separated, from haproxy,nginx,foss-infra (default: all three)
#
# The proxies' client keep-alive / idle timeouts are 5 minutes here, so nothing is closed for idleness during a test.
# Output: the tables on stdout; JSON results, configs and logs under bench/out/idle/<time>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=compare/common.sh
source "$here/compare/common.sh"

count=19000 over=20500 free=2000 warmup=30 proxies="haproxy,nginx,foss-infra"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --over) over="$2"; shift 2 ;;
    --free) free="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --proxies) proxies="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
IFS=, read -r -a proxy_list <<< "$proxies"
for p in "${proxy_list[@]}"; do
  case "$p" in haproxy|nginx|foss-infra) ;; *) die "unknown proxy '$p'" ;; esac
done

ensure_tools
check_ports_free
hard="$(ulimit -Hn)"
[ "$(ulimit -Sn)" = "$hard" ] || ulimit -Sn "$hard"
# Each client process raises its own soft limit to the hard one; split the connections so that each stays well below.
if [[ "$hard" =~ ^[0-9]+$ ]]; then procs=$(( (over + hard / 2 - 1) / (hard / 2) )); else procs=2; fi
[ "$procs" -ge 2 ] || procs=2
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/idle/$stamp"; work="$out/work"
mkdir -p "$work"
trap 'stop_all' EXIT
trap 'log "interrupted; stopping what this script started"; exit 130' INT TERM
prepare_foss "$work"
{
  echo "## bench/idle-connections.sh $stamp"
  echo
  machine_header
  echo "- open files: soft $(ulimit -Sn), hard $hard per process (the proxies inherit it); $procs client processes"
  echo "- command: bench/idle-connections.sh --count $count --over $over --free $free --warmup $warmup --proxies $proxies"
} | tee "$out/machine.md" >&2

taskset -p -c 0 $$ >/dev/null
start_backends "$work" 0
jsons=()
for p in "${proxy_list[@]}"; do
  case "$p" in
    haproxy) start_haproxy "$work" 1 1 5m 30000; pid="$HAPROXY_PID"; plog="$work/haproxy/haproxy.log" ;;
    nginx) start_nginx "$work" 1 1 300s; pid="$NGINX_PID"; plog="$work/nginx/error.log" ;;
    foss-infra) start_foss "$work" 1 5m; pid="$FOSS_PID"; plog="$work/foss/foss-infra.log" ;;
  esac
  sanity_check "$p"
  log "$p (pid $pid): open-files limit $(awk '/Max open files/ {print $4}' "/proc/$pid/limits"); warming up ${warmup}s"
  [ "$warmup" -gt 0 ] && timeout -k 5 $((warmup + 30)) taskset -c 0 wrk -t1 -c64 -d"${warmup}s" \
    "http://127.0.0.1:$(proxy_port "$p")/" > "$out/warmup-$p.txt" 2>&1
  taskset -c 0 python3 "$here/idle/idle_test.py" --name "$p" --port "$(proxy_port "$p")" --pid "$pid" --log "$plog" \
    --count "$count" --over "$over" --free "$free" --procs "$procs" --lua "$here/compare/report.lua" \
    --json "$out/$p.json" 2>&1 | tee "$out/$p.log" || log "idle test for $p failed; see $out/$p.log"
  [ -f "$out/$p.json" ] && jsons+=("$out/$p.json")
  if kill -0 "$pid" 2>/dev/null; then untrack_stop "$pid"; else log "$p is no longer running"; fi
done
stop_all

echo
cat "$out/machine.md"
echo
[ "${#jsons[@]}" -gt 0 ] && python3 "$here/idle/summarize.py" "${jsons[@]}" | tee "$out/table.md"
echo
echo "raw results: $out"
