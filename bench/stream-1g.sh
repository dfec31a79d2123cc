#!/usr/bin/env bash
# Streams 1 GiB up and 1 GiB down through foss-infra, at full speed and against a slow peer, with the proxy in its
# own JVM capped at a 48 MiB heap (Netty's direct memory defaults to the same cap). Samples the proxy's heap (jcmd GC.heap_info)
# and RSS every 200 ms and prints the peaks. If the proxy buffered instead of pushing back, it would die with
# OutOfMemoryError here.
#   bench/stream-1g.sh [BYTES]      (default 1073741824)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/jdk.sh"
bytes="${1:-1073741824}"
out="$here/bench/out"; mkdir -p "$out"
front=18800; back=18801
FOSS_INFRA_JAVA_OPTS="-Xmx48m -XX:+UseSerialGC" "$here/foss-infra" --version >/dev/null   # builds if needed

cat > "$out/stream.yaml" <<YAML
frontends:
  - name: http
    bind: 127.0.0.1:$front
    default-backend: stream
timeouts: { client: 120s, server: 120s }
backends:
  - name: stream
    servers:
      - name: s1
        address: 127.0.0.1:$back
YAML

python3 "$here/bench/stream_backend.py" $back & bpid=$!
FOSS_INFRA_SKIP_BUILD=1 FOSS_INFRA_JAVA_OPTS="-Xms48m -Xmx48m -XX:+UseSerialGC" \
  "$here/foss-infra" run -c "$out/stream.yaml" > "$out/stream-proxy.log" 2>&1 & ppid=$!
cleanup() { kill "$ppid" "$bpid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$front/health" && break; sleep 0.1; done
jpid="$(pgrep -f "foss-infra.jar run -c $out/stream.yaml" | head -n 1)"

sample() { # prints "heapMiB rssMiB"
  local heap rss
  # GC.heap_info reads the generations' live usage (jstat's counters only move at GCs).
  heap="$("$JAVA_HOME/bin/jcmd" "$jpid" GC.heap_info | awk '/^[A-Za-z]/ && /used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K.*/,"",v); u+=v}} END {printf "%.1f", u/1024}')"
  rss="$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$jpid/status")"
  echo "$heap $rss"
}

measure() { # name, command...: runs the command while sampling; prints a result line
  local name="$1"; shift
  local peak_heap=0 peak_rss=0 s h r start end
  "$@" > "$out/curl.out" 2>&1 & local cpid=$!
  start=$(date +%s.%N)
  while kill -0 "$cpid" 2>/dev/null; do
    s="$(sample)"; h="${s% *}"; r="${s#* }"
    peak_heap="$(echo "$h $peak_heap" | awk '{print ($1>$2)?$1:$2}')"
    peak_rss="$(echo "$r $peak_rss" | awk '{print ($1>$2)?$1:$2}')"
    sleep 0.2
  done
  wait "$cpid"
  end=$(date +%s.%N)
  printf "%-34s %8.1f s %8.0f MB/s   peak heap %6.1f MiB   peak RSS %6.1f MiB   curl: %s\n" "$name" \
    "$(echo "$end - $start" | bc)" "$(echo "$bytes / 1048576 / ($end - $start)" | bc -l)" "$peak_heap" "$peak_rss" \
    "$(tr '\n' ' ' < "$out/curl.out")"
}

truncate -s "$bytes" "$out/zero.bin"
base="$(sample)"
echo "foss-infra streaming $((bytes / 1048576)) MiB, proxy JVM -Xmx48m, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
echo "baseline: heap ${base% *} MiB, RSS ${base#* } MiB"
measure "upload, Content-Length, full speed" curl -sS -o - -T "$out/zero.bin" "http://127.0.0.1:$front/upload"
measure "upload, chunked, full speed" sh -c "cat '$out/zero.bin' | curl -sS -o - -T - http://127.0.0.1:$front/upload"
measure "upload, server reads at 30 MB/s" curl -sS -o - -T "$out/zero.bin" "http://127.0.0.1:$front/upload?rate=30"
measure "download, full speed" curl -sS -o /dev/null -w '%{size_download} bytes' "http://127.0.0.1:$front/download?bytes=$bytes"
measure "download, client reads at 30 MB/s" curl -sS -o /dev/null --limit-rate 30M -w '%{size_download} bytes' \
  "http://127.0.0.1:$front/download?bytes=$bytes"
rm -f "$out/zero.bin"
grep -q OutOfMemoryError "$out/stream-proxy.log" && { echo "proxy ran out of memory"; exit 1; }
echo "proxy log: $out/stream-proxy.log"
