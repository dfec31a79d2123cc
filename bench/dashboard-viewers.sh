#!/usr/bin/env bash
# Dashboard viewers: what 500 browsers watching the live overview cost the node, and whether they slow the proxy.
# Starts an nginx backend and a node (./foss-infra run) in front of it, then, in one run:
#   1. idle, no viewers: the node's CPU and RSS over --idle seconds;
#   2. wrk through the proxy, no viewers: requests/s (and the node's CPU);
#   3. --viewers signed-in viewers (over --sessions sessions, 20 at most: a user keeps 20) on /stream/overview:
#      CPU and RSS, no traffic;
#   4. wrk again with the viewers connected;
#   5. wrk once more after the viewers left (A-B-A: a drift of the machine shows as a difference between 2 and 5);
# and checks that every viewer received a tick a second throughout. The viewer client's own CPU is reported too: it
# shares the machine with the node, wrk and nginx. Prints a Markdown table.
#
#   bench/dashboard-viewers.sh [--viewers N] [--sessions S] [--idle SECONDS] [--wrk SECONDS] [--connections C]
#
# Needs wrk, nginx and python3 (installed with apt-get when missing and run as root). Only loopback is used.
# Output: the table on stdout; logs and the config under bench/out/dashboard/<time>/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
viewers=500 sessions=20 idle=20 wrk_seconds=15 connections=64
while [ $# -gt 0 ]; do
  case "$1" in
    --viewers) viewers="$2"; shift 2 ;;
    --sessions) sessions="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --wrk) wrk_seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { echo "dashboard-viewers: $*" >&2; }
die() { log "$*"; exit 1; }

missing=()
for tool in wrk nginx python3; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "needs ${missing[*]}: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$repo/bench/out/dashboard/$stamp"
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The backend: nginx answering "ok", one worker.
backend_port="$(free_port)"
mkdir -p "$out/nginx"
cat > "$out/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $out/nginx/body; proxy_temp_path $out/nginx/proxy; fastcgi_temp_path $out/nginx/fcgi;
  uwsgi_temp_path $out/nginx/uwsgi; scgi_temp_path $out/nginx/scgi;
  keepalive_timeout 600s; keepalive_requests 100000000;
  server { listen 127.0.0.1:$backend_port; location / { return 200 "ok"; } }
}
CONF
nginx -c "$out/nginx/nginx.conf" >"$out/nginx/stdout.log" 2>&1 &
pids+=($!)

# The node, with a dashboard user whose password only this run knows.
(cd "$repo" && ./foss-infra --version >/dev/null)   # builds the jar when the sources changed
password="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
hash="$(printf '%s\n' "$password" | FOSS_INFRA_SKIP_BUILD=1 "$repo/foss-infra" hash-password)"
admin_port="$(free_port)" proxy_port="$(free_port)"
cat > "$out/node.yaml" <<YAML
node: { name: bench }
admin:
  bind: 127.0.0.1:$admin_port
  tokens: [{ name: bench, secret: "$(python3 -c 'import secrets; print(secrets.token_hex(16))')" }]
  users: [{ name: bench, password-hash: "$hash" }]
frontends:
  - { name: http, bind: "127.0.0.1:$proxy_port", default-backend: app }
backends:
  - name: app
    servers: [{ name: nginx1, address: "127.0.0.1:$backend_port", maxconn: 10000 }]
YAML
FOSS_INFRA_SKIP_BUILD=1 "$repo/foss-infra" run -c "$out/node.yaml" >"$out/node.log" 2>&1 &
pids+=($!)
launcher=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$admin_port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$admin_port/healthz" >/dev/null || die "the node did not start; see $out/node.log"
node_pid="$(pgrep -P "$launcher" java || echo "$launcher")"
[ -r "/proc/$node_pid/stat" ] || node_pid="$launcher"
clk="$(getconf CLK_TCK)"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${1:-$node_pid}/stat"; }
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$node_pid/status"; }
# CPU % of one core over a command (or a sleep), and the RSS at the end.
# Also the viewer client's CPU, when it runs ($client_pid).
measure() {
  local t0 t1 s0 s1 c0=0 c1=0
  t0="$(cpu_ticks)"; s0="$(date +%s.%N)"
  [ -n "${client_pid:-}" ] && c0="$(cpu_ticks "$client_pid")"
  "$@"
  t1="$(cpu_ticks)"; s1="$(date +%s.%N)"
  [ -n "${client_pid:-}" ] && c1="$(cpu_ticks "$client_pid")"
  cpu="$(python3 -c "print(f'{($t1 - $t0) / $clk / ($s1 - $s0) * 100:.1f}')")"
  client_cpu="$(python3 -c "print(f'{($c1 - $c0) / $clk / ($s1 - $s0) * 100:.1f}')")"
  rss="$(rss_mib)"
}
run_wrk() { wrk -t1 -c"$connections" -d"${wrk_seconds}s" "http://127.0.0.1:$proxy_port/" > "$out/wrk-$1.txt" 2>&1; }
rps() { awk '/Requests\/sec/ { printf "%.0f", $2 }' "$out/wrk-$1.txt"; }

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "warming up the node (JIT) for 10 s"
wrk -t1 -c"$connections" -d10s "http://127.0.0.1:$proxy_port/" >/dev/null 2>&1
sleep 2

log "1/5 idle, no viewers (${idle} s)"
measure sleep "$idle"; idle_cpu=$cpu idle_rss=$rss
log "2/5 wrk, no viewers (${wrk_seconds} s)"
measure run_wrk none; base_cpu=$cpu base_rps="$(rps none)"

log "3/5 connecting $viewers viewers over $sessions sessions"
total=$((idle + wrk_seconds + 20))
python3 "$here/dashboard/viewers.py" --port "$admin_port" --user bench --password "$password" --viewers "$viewers" \
  --sessions "$sessions" --seconds "$total" --ready-file "$out/ready" > "$out/viewers.json" 2> "$out/viewers.log" &
viewers_pid=$!
pids+=($viewers_pid)
client_pid=$viewers_pid
for _ in $(seq 1 600); do [ -f "$out/ready" ] && break; sleep 0.1; done
[ -f "$out/ready" ] || die "the viewers did not connect; see $out/viewers.log"
sleep 3
measure sleep "$idle"; view_cpu=$cpu view_rss=$rss view_client=$client_cpu
log "4/5 wrk with $viewers viewers (${wrk_seconds} s)"
measure run_wrk viewers; load_cpu=$cpu load_rps="$(rps viewers)" load_client=$client_cpu
wait "$viewers_pid" || die "the viewer client failed; see $out/viewers.log"
client_pid=""
sleep 3
log "5/5 wrk after the viewers left (${wrk_seconds} s)"
measure run_wrk after; after_cpu=$cpu after_rps="$(rps after)" after_rss=$rss
stats="$(cat "$out/viewers.json")"
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$stats"; }

{
  echo "## bench/dashboard-viewers.sh $stamp"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), $("/proc/$node_pid/exe" -version 2>&1 | head -n 1 || true);"
  echo "  load average at the start: $load_start (the node, nginx, wrk and the viewer client share the cores)"
  echo "- viewers: $(field connected) of $viewers connected over $(field sessions) sessions, $(field still_open) still open at the end;"
  echo "  each got $(field ticks_min)..$(field ticks_max) ticks in $(field seconds) s ($(field ticks_per_viewer_per_s) a second),"
  echo "  $(field bytes_per_viewer_per_tick) bytes a tick; $(field bytes_per_s_all_viewers) bytes/s to all viewers together"
  echo "- wrk: -t1 -c$connections -d${wrk_seconds}s, through the proxy to nginx returning \"ok\""
  echo
  echo "| case | node CPU (% of one core) | node RSS | proxy requests/s | viewer client CPU |"
  echo "|---|---|---|---|---|"
  echo "| no viewers, idle | $idle_cpu | $idle_rss MiB | | |"
  echo "| no viewers, wrk | $base_cpu | | $base_rps | |"
  echo "| $viewers viewers, idle | $view_cpu | $view_rss MiB | | $view_client |"
  echo "| $viewers viewers, wrk | $load_cpu | | $load_rps | $load_client |"
  echo "| viewers gone, wrk | $after_cpu | $after_rss MiB | $after_rps | |"
} | tee "$out/result.md"
