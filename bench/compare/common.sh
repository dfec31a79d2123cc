# Shared by bench/compare.sh and bench/idle-connections.sh (sourced, not run): installs the tools, writes equivalent
# configs for HAProxy, nginx and foss-infra, starts the two nginx backends and the proxies pinned to given CPUs, tracks
# every process it started by PID and stops exactly those on exit.
#
# Every server listens on 127.0.0.1 only. Ports (override with the environment if they collide with something):
BENCH_B1_PORT="${BENCH_B1_PORT:-18901}"     # backend nginx 1
BENCH_B2_PORT="${BENCH_B2_PORT:-18902}"     # backend nginx 2
BENCH_HAP_PORT="${BENCH_HAP_PORT:-18911}"   # HAProxy under test
BENCH_NGX_PORT="${BENCH_NGX_PORT:-18912}"   # nginx under test
BENCH_FOSS_PORT="${BENCH_FOSS_PORT:-18913}" # foss-infra under test
BENCH_FOSS_ALT_PORT="${BENCH_FOSS_ALT_PORT:-18914}" # foss-infra-alt: other flags or another build

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STARTED_PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_tools() { # installs haproxy, nginx, wrk (and curl, taskset, python3) from Debian when missing
  local missing=()
  command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing from Debian: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root (or install them yourself)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports_free() {
  local p
  for p in "$BENCH_B1_PORT" "$BENCH_B2_PORT" "$BENCH_HAP_PORT" "$BENCH_NGX_PORT" "$BENCH_FOSS_PORT" "$BENCH_FOSS_ALT_PORT"; do
    port_free "$p" || die "port $p on 127.0.0.1 is in use; stop what uses it or set BENCH_*_PORT"
  done
}

track() { STARTED_PIDS+=("$1"); }

stop_pid() { # pid: TERM, wait up to 10 s, then KILL; only PIDs this script started
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]:-}"; do [ -n "$pid" ] && stop_pid "$pid"; done
  STARTED_PIDS=()
}

untrack_stop() { # pid: stops it and removes it from the list
  local pid="$1" keep=() p
  stop_pid "$pid"
  for p in "${STARTED_PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$pid" ] && keep+=("$p"); done
  STARTED_PIDS=("${keep[@]:-}")
}

wait_http() { # url [seconds]: waits for an HTTP 200
  local url="$1" secs="${2:-60}" i
  for i in $(seq $((secs * 10))); do
    [ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

pids_tree() { # pid: the pid and its direct children (nginx master + workers)
  echo "$1"; pgrep -P "$1" 2>/dev/null || true
}

rss_kb() { # pid: VmRSS in KiB summed over the process and its children
  local total=0 p v
  for p in $(pids_tree "$1"); do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

cpu_ticks() { # pid: utime+stime in clock ticks summed over the process and its children
  local total=0 p v
  for p in $(pids_tree "$1"); do
    v="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

busy_ticks() { # CPU time spent busy by the whole machine (all cores), in clock ticks
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

reaped_children_ticks() { # CPU time of this shell's finished children (wrk, the samplers), in clock ticks
  awk '{print $16 + $17}' "/proc/$$/stat"
}

# ---------------------------------------------------------------- backends

nginx_temp_paths() { # dir
  local d="$1/tmp"; mkdir -p "$d"
  printf '  client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fcgi;\n' "$d" "$d" "$d"
  printf '  uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;\n' "$d" "$d"
}

start_backends() { # workdir cpus: two nginx backends answering / with 200 "ok", /10k and /1m with static bodies
  local work="$1" cpus="$2" n port dir www="$1/www"
  mkdir -p "$www"
  [ -s "$www/10k" ] || head -c 10240 /dev/zero | tr '\0' 'a' > "$www/10k"
  [ -s "$www/1m" ] || head -c 1048576 /dev/zero | tr '\0' 'b' > "$www/1m"
  for n in 1 2; do
    port="$BENCH_B1_PORT"; [ "$n" = 2 ] && port="$BENCH_B2_PORT"
    dir="$work/backend$n"; mkdir -p "$dir"
    cat > "$dir/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  access_log off;
$(nginx_temp_paths "$dir")
  default_type text/plain;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 600s; keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location = / { return 200 "ok"; }
    location = /who { return 200 "b$n"; }
    location = /xff { return 200 "\$http_x_forwarded_for"; }
    location / { root $www; }
  }
}
CONF
    taskset -c "$cpus" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" > "$dir/stdout.log" 2>&1 &
    track $!
    eval "BACKEND${n}_PID=$!"
  done
  wait_http "http://127.0.0.1:$BENCH_B1_PORT/" 20 || die "backend 1 did not start; see $work/backend1/error.log"
  wait_http "http://127.0.0.1:$BENCH_B2_PORT/" 20 || die "backend 2 did not start; see $work/backend2/error.log"
}

# ---------------------------------------------------------------- proxies under test
# Equivalent configs: round robin over both backends, HTTP/1.1 keep-alive to the backends (no cap on idle server
# connections that the load could hit), X-Forwarded-For appended, Host passed through, no access log, no compression,
# the same timeouts. keep-alive = the client keep-alive timeout (10s for the benchmark, 5m for the idle test).

start_haproxy() { # workdir threads cpus keepalive maxconn
  local dir="$1/haproxy" threads="$2" cpus="$3" ka="$4" maxconn="$5"
  mkdir -p "$dir"
  cat > "$dir/haproxy.cfg" <<CONF
global
  nbthread $threads
  maxconn $maxconn
$( [ "$maxconn" -gt 9000 ] && echo "  no strict-limits   # maxconn above the fd limit: run anyway and meet the fd limit itself (idle test)" )
  # no 'log' line: no logging at all

defaults
  mode http
  maxconn $maxconn
  option forwardfor
  timeout connect 5s
  timeout client $ka
  timeout server 60s
  timeout http-request 10s
  timeout http-keep-alive $ka
  timeout queue 30s

frontend fe
  bind 127.0.0.1:$BENCH_HAP_PORT
  default_backend app

backend app
  balance roundrobin
  server b1 127.0.0.1:$BENCH_B1_PORT
  server b2 127.0.0.1:$BENCH_B2_PORT
CONF
  taskset -c "$cpus" haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.log" 2>&1 &
  HAPROXY_PID=$!; track "$HAPROXY_PID"
  wait_http "http://127.0.0.1:$BENCH_HAP_PORT/" 30 || die "HAProxy did not start; see $dir/haproxy.log"
}

start_nginx() { # workdir workers cpus keepalive
  local dir="$1/nginx" workers="$2" cpus="$3" ka="$4"
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
user root;
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 40000; }
http {
  access_log off;
  gzip off;
$(nginx_temp_paths "$dir")
  keepalive_timeout $ka; keepalive_requests 100000000;
  client_header_timeout 10s; client_body_timeout $ka; send_timeout 60s;
  upstream app {
    server 127.0.0.1:$BENCH_B1_PORT;
    server 127.0.0.1:$BENCH_B2_PORT;
    keepalive 1024; keepalive_requests 100000000; keepalive_timeout 30s;
  }
  server {
    listen 127.0.0.1:$BENCH_NGX_PORT backlog=4096;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_connect_timeout 5s; proxy_read_timeout 60s; proxy_send_timeout 60s;
      proxy_max_temp_file_size 0;   # stream large bodies through memory buffers, as HAProxy does, not via disk
    }
  }
}
CONF
  taskset -c "$cpus" nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" > "$dir/stdout.log" 2>&1 &
  NGINX_PID=$!; track "$NGINX_PID"
  wait_http "http://127.0.0.1:$BENCH_NGX_PORT/" 30 || die "nginx did not start; see $dir/error.log"
}

# foss-infra runs from a snapshot of target/ (jar + lib/) taken once per script run, so that a concurrent build in
# the work tree can't swap the jar under a running JVM. The command line is the launcher's: the same JDK lookup
# (scripts/jdk.sh) and the same flags and start-up cache (scripts/jvm.sh: FOSS_INFRA_JAVA_OPTS or the launcher's
# defaults, Netty's access flags, the JDK 25 AOT cache unless FOSS_INFRA_AOT=0).
# BENCH_FOSS_APP=DIR measures an earlier snapshot instead (DIR holds foss-infra.jar and lib/, e.g. the foss-app
# folder of an earlier run, to compare against exactly the same build); FOSS_INFRA_SKIP_BUILD=1 takes target/ as is.
prepare_foss() { # workdir
  local snap="$1/foss-app" src="$repo/target"
  if [ -n "${BENCH_FOSS_APP:-}" ]; then
    src="$BENCH_FOSS_APP"
    [ -f "$src/foss-infra.jar" ] && [ -d "$src/lib" ] || die "BENCH_FOSS_APP=$src holds no foss-infra.jar and lib/"
    log "using the foss-infra build in $src"
  else
    log "building foss-infra if needed (./foss-infra --version)"
    "$repo/foss-infra" --version >/dev/null || die "foss-infra did not build (FOSS_INFRA_SKIP_BUILD=1 or BENCH_FOSS_APP=DIR use an existing build)"
  fi
  # shellcheck source=/dev/null
  source "$repo/scripts/jdk.sh"
  # shellcheck source=/dev/null
  source "$repo/scripts/jvm.sh"
  rm -rf "$snap"; mkdir -p "$snap"
  cp "$src/foss-infra.jar" "$snap/" && cp -r "$src/lib" "$snap/lib"
  FOSS_SNAPSHOT="$snap"
  # The launcher's start-up cache, made for this copy (a cache names the jar it was trained on).
  foss_aot "$snap/foss-infra.jar" "$snap/foss-infra.aot" "$snap/aot-training.log"
  FOSS_AOT_OPTS=("${foss_aot_opts[@]}")
  FOSS_ALT_SNAPSHOT="$snap"
  if [ -n "${BENCH_FOSS_ALT_APP:-}" ]; then
    # foss-infra-alt is another build (e.g. the commit before a change), with the same flags unless told otherwise.
    local alt="$1/foss-app-alt"
    [ -f "$BENCH_FOSS_ALT_APP/foss-infra.jar" ] && [ -d "$BENCH_FOSS_ALT_APP/lib" ] \
      || die "BENCH_FOSS_ALT_APP=$BENCH_FOSS_ALT_APP holds no foss-infra.jar and lib/"
    rm -rf "$alt"; mkdir -p "$alt"
    cp "$BENCH_FOSS_ALT_APP/foss-infra.jar" "$alt/" && cp -r "$BENCH_FOSS_ALT_APP/lib" "$alt/lib"
    FOSS_ALT_SNAPSHOT="$alt"
    FOSS_ALT_COMMIT="snapshot $BENCH_FOSS_ALT_APP"
    [ -f "$BENCH_FOSS_ALT_APP/COMMIT" ] && FOSS_ALT_COMMIT="$(cat "$BENCH_FOSS_ALT_APP/COMMIT")"
    log "foss-infra-alt is the build in $BENCH_FOSS_ALT_APP ($FOSS_ALT_COMMIT)"
    # shellcheck disable=SC2086
    FOSS_INFRA_AOT="${FOSS_INFRA_ALT_AOT:-${FOSS_INFRA_AOT:-1}}" \
      foss_aot "$alt/foss-infra.jar" "$alt/foss-infra.aot" "$alt/aot-training.log" ${FOSS_INFRA_ALT_JAVA_OPTS:-${foss_java_opts[@]}}
    FOSS_ALT_AOT_OPTS=("${foss_aot_opts[@]}")
  elif [ -n "${FOSS_INFRA_ALT_JAVA_OPTS:-}" ]; then
    # shellcheck disable=SC2086
    FOSS_INFRA_AOT="${FOSS_INFRA_ALT_AOT:-${FOSS_INFRA_AOT:-1}}" \
      foss_aot "$snap/foss-infra.jar" "$snap/foss-infra-alt.aot" "$snap/aot-training-alt.log" $FOSS_INFRA_ALT_JAVA_OPTS
    FOSS_ALT_AOT_OPTS=("${foss_aot_opts[@]}")
  fi
  if [ -n "${BENCH_FOSS_APP:-}" ]; then
    FOSS_COMMIT="snapshot ${BENCH_FOSS_APP}"
    [ -f "$src/COMMIT" ] && FOSS_COMMIT="$(cat "$src/COMMIT")"
  else
    FOSS_COMMIT="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    if [ -n "$(git -C "$repo" status --porcelain -- src/main pom.xml 2>/dev/null)" ]; then
      FOSS_COMMIT="$FOSS_COMMIT+uncommitted changes in src/main"
    fi
  fi
  echo "$FOSS_COMMIT" > "$snap/COMMIT"
}

start_foss() { # workdir cpus keepalive [alt]: with "alt", the proxy 'foss-infra-alt' on its own port, with the JVM
  # flags of FOSS_INFRA_ALT_JAVA_OPTS (to compare two flag sets in one run); sets FOSS_PID or FOSS_ALT_PID
  local dir="$1/foss" cpus="$2" ka="$3" variant="${4:-}" port="$BENCH_FOSS_PORT"
  local opts=("${foss_java_opts[@]}") aot=("${FOSS_AOT_OPTS[@]}") jar="$FOSS_SNAPSHOT/foss-infra.jar"
  if [ "$variant" = alt ]; then
    dir="$1/foss-alt"; port="$BENCH_FOSS_ALT_PORT"; jar="$FOSS_ALT_SNAPSHOT/foss-infra.jar"
    if [ -z "${BENCH_FOSS_ALT_APP:-}" ] || [ -n "${FOSS_INFRA_ALT_JAVA_OPTS:-}" ]; then
      # shellcheck disable=SC2206
      opts=(${FOSS_INFRA_ALT_JAVA_OPTS:?foss-infra-alt needs FOSS_INFRA_ALT_JAVA_OPTS (its JVM flags) or BENCH_FOSS_ALT_APP (another build)})
    fi
    aot=("${FOSS_ALT_AOT_OPTS[@]}")
  fi
  mkdir -p "$dir"
  cat > "$dir/foss-infra.yaml" <<YAML
node:
  name: bench
  data-dir: $dir/data
database:
  enabled: false   # the event store's PostgreSQL is off the data path; HAProxy and nginx run none either
timeouts:
  connect: 5s
  client: $ka
  server: 60s
  http-request: 10s
  queue: 30s
  keep-alive: $ka
frontends:
  - name: fe
    bind: 127.0.0.1:$port
    default-backend: app
    forwarded-for: append     # option forwardfor: keep the client's list, add the address
    forwarded-proto: false    # HAProxy and nginx don't add X-Forwarded-Proto either
backends:
  - name: app
    balance: roundrobin
    pool:
      max-idle-per-server: 1024   # like HAProxy (no cap) and nginx 'keepalive 1024': no churn at 256 connections
      idle-timeout: 30s
    servers:
      - { name: b1, address: "127.0.0.1:$BENCH_B1_PORT" }
      - { name: b2, address: "127.0.0.1:$BENCH_B2_PORT" }
YAML
  local pid
  taskset -c "$cpus" "$JAVA_HOME/bin/java" "${opts[@]}" "${foss_fixed_opts[@]}" "${aot[@]}" \
    -jar "$jar" run -c "$dir/foss-infra.yaml" > "$dir/foss-infra.log" 2>&1 &
  pid=$!; track "$pid"
  if [ "$variant" = alt ]; then FOSS_ALT_PID=$pid; else FOSS_PID=$pid; fi
  wait_http "http://127.0.0.1:$port/" 60 || die "foss-infra did not start; see $dir/foss-infra.log"
}

foss_event_loops() { # pid: the data plane's event loops, as the node's start-up line says ("N event loops"); counting
  # threads would also count the one-thread Vert.x instances of the service checks and the Matrix bot
  # (printed just after the listeners open, so it may lag the first answer: wait up to 10 s for it)
  local out n="" i
  out="$(readlink "/proc/$1/fd/1" 2>/dev/null)" || { echo 0; return; }
  for i in $(seq 100); do
    n="$(sed -n 's/.*transport [a-z_]*, \([0-9][0-9]*\) event loops.*/\1/p' "$out" | tail -n 1)"
    [ -n "$n" ] && break
    sleep 0.1
  done
  echo "${n:-0}"
}

proxy_port() {
  case "$1" in haproxy) echo "$BENCH_HAP_PORT" ;; nginx) echo "$BENCH_NGX_PORT" ;; foss-infra) echo "$BENCH_FOSS_PORT" ;;
    foss-infra-alt) echo "$BENCH_FOSS_ALT_PORT" ;; esac
}
proxy_pid() {
  case "$1" in haproxy) echo "$HAPROXY_PID" ;; nginx) echo "$NGINX_PID" ;; foss-infra) echo "$FOSS_PID" ;;
    foss-infra-alt) echo "$FOSS_ALT_PID" ;; esac
}

sanity_check() { # proxy: same work everywhere: 200 "ok", X-Forwarded-For added, round robin over both backends
  local name="$1" port body xff who=""
  port="$(proxy_port "$name")"
  body="$(curl -s -m 5 "http://127.0.0.1:$port/")"
  [ "$body" = ok ] || die "$name: GET / answered '$body', not 'ok'"
  xff="$(curl -s -m 5 -H 'X-Forwarded-For: 10.9.9.9' "http://127.0.0.1:$port/xff")"
  [ "$xff" = "10.9.9.9, 127.0.0.1" ] || die "$name: X-Forwarded-For reached the backend as '$xff', not '10.9.9.9, 127.0.0.1'"
  local i; for i in 1 2 3 4; do who="$who$(curl -s -m 5 "http://127.0.0.1:$port/who") "; done
  case "$who" in *b1*b2*|*b2*b1*) ;; *) die "$name: requests did not alternate between the backends: $who" ;; esac
  [ "$(curl -s -m 10 "http://127.0.0.1:$port/1m" | wc -c)" = 1048576 ] || die "$name: /1m did not return 1 MiB"
  log "sanity $name: 200 ok, X-Forwarded-For '$xff', backends: $who"
}

machine_header() { # prints the date, machine and versions (markdown-friendly lines)
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-?}")"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(haproxy -v 2>&1 | head -n1)"
  echo "- $(nginx -v 2>&1 | head -n1)"
  echo "- $(wrk -v 2>&1 | head -n1 | sed 's/ Copyright.*//')"
  echo "- java: $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 2p)"
  echo "- foss-infra: $("$JAVA_HOME/bin/java" -jar "$FOSS_SNAPSHOT/foss-infra.jar" --version 2>&1 | head -n1) (commit $FOSS_COMMIT), JVM flags: ${foss_java_opts[*]} ${foss_fixed_opts[*]}, AOT cache: $([ "${#FOSS_AOT_OPTS[@]}" -gt 0 ] && echo yes || echo no)"
  if [ -n "${BENCH_FOSS_ALT_APP:-}" ]; then
    echo "- foss-infra-alt: the build in $BENCH_FOSS_ALT_APP (commit $FOSS_ALT_COMMIT), JVM flags: ${FOSS_INFRA_ALT_JAVA_OPTS:-the same}"
  elif [ -n "${FOSS_INFRA_ALT_JAVA_OPTS:-}" ]; then
    echo "- foss-infra-alt: the same build, JVM flags: $FOSS_INFRA_ALT_JAVA_OPTS"
  fi
}
