#!/usr/bin/env bash
# Start-up time: from launching ./foss-infra to the first request answered through the proxy, over several runs.
# Measures `run` with a one-backend config and `demo` (three demo servers, health checks, admin API).
#   bench/startup.sh [RUNS]     (default 7)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
out="$here/bench/out"; mkdir -p "$out"
"$here/foss-infra" --version >/dev/null   # build first, outside the measurement
front=18810; back=18811
cat > "$out/startup.yaml" <<YAML
frontends:
  - name: http
    bind: 127.0.0.1:$front
    default-backend: app
backends:
  - name: app
    servers:
      - name: a
        address: 127.0.0.1:$back
YAML
python3 "$here/bench/stream_backend.py" $back & bpid=$!
trap 'kill $bpid 2>/dev/null || true' EXIT
sleep 0.3

ms_now() { date +%s%3N; }
first_answer() { # url: waits for a 200, prints ms since $t0
  until curl -s -o /dev/null -m 1 -w '%{http_code}' "$1" | grep -q 200; do sleep 0.01; done
  echo $(( $(ms_now) - t0 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

measure() { # name, url, args...
  local name="$1" url="$2"; shift 2
  local times=()
  for _ in $(seq "$runs"); do
    t0=$(ms_now)
    FOSS_INFRA_SKIP_BUILD=1 "$here/foss-infra" "$@" > "$out/startup-run.log" 2>&1 & local pid=$!
    times+=("$(first_answer "$url")")
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  done
  printf "%-8s median %5s ms   runs: %s\n" "$name" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

echo "foss-infra start-up to first proxied response, $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
measure run "http://127.0.0.1:$front/" run -c "$out/startup.yaml"
measure demo "http://127.0.0.1:8080/api/hello" demo --data-dir "$out/demo-data"
