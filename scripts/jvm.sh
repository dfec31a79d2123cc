# Sourced (after scripts/jdk.sh) by ./foss-infra and by the benchmarks: the one place that says how foss-infra's JVM
# is started, so that what bench/ measures is what the launcher runs.
#   foss_java_opts    heap and GC: FOSS_INFRA_JAVA_OPTS, or the defaults below
#   foss_fixed_opts   Netty's access flags; always there, whatever FOSS_INFRA_JAVA_OPTS says
#   foss_aot JAR AOT LOG [OPTS...]   makes (when missing or stale) and selects the JDK 25 ahead-of-time cache for JAR,
#                     trained with OPTS (default: foss_java_opts); sets foss_aot_opts (empty when there is none)

# Heap and GC (docs/performance.md, "JVM flags", says why): a small starting heap that grows as needed (RSS follows
# the live set, not a preallocation), the serial collector (one proxy JVM per node, short pauses on a small heap, no
# GC threads), and a fast exit when memory runs out rather than limping on.
foss_default_java_opts="-Xms8m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
# shellcheck disable=SC2206
foss_java_opts=(${FOSS_INFRA_JAVA_OPTS:-$foss_default_java_opts})
# Netty's fast paths: raw memory access for buffer copies and direct buffers without a Cleaner. Without them every
# header copy between direct buffers allocates a ByteBuffer slice (96% of the allocation in the profile).
foss_fixed_opts=(--enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true)
if [ "$jdk_major" -ge 23 ]; then foss_fixed_opts+=(--sun-misc-unsafe-memory-access=allow); fi
# Hand memory that C's malloc keeps after the JIT compilers and Netty free it back to the system every 5 s (a product
# flag since JDK 22): 10-14 MiB less RSS under load in docs/performance.md's measurement, no throughput cost seen.
if [ "$jdk_major" -ge 22 ] && [ -z "${FOSS_INFRA_JAVA_OPTS:-}" ]; then foss_java_opts+=(-XX:TrimNativeHeapInterval=5000); fi

# The ahead-of-time cache (JDK 25: classes loaded, linked and profiled in a short training run, the hidden `train`
# subcommand) roughly halves the time to the first proxied request. It must be made with the same JVM flags it is used
# with, so it is rebuilt when they change; it is rebuilt when the jar is newer, and skipped on JDKs without
# -XX:AOTCacheOutput or when FOSS_INFRA_AOT=0.
foss_aot_opts=()
foss_aot() {
  local jar="$1" aot="$2" log="$3" flags flags_file
  shift 3
  local opts=("$@")
  [ "${#opts[@]}" -gt 0 ] || opts=("${foss_java_opts[@]}")
  foss_aot_opts=()
  if [ "${FOSS_INFRA_AOT:-1}" = "0" ] || [ "$jdk_major" -lt 25 ]; then
    return 0
  fi
  flags_file="$aot.flags"
  flags="${opts[*]} ${foss_fixed_opts[*]}"
  if [ ! -f "$aot" ] || [ "$(cat "$flags_file" 2>/dev/null)" != "$flags" ] || [ "$jar" -nt "$aot" ]; then
    echo "foss-infra: preparing the start-up cache (once after each build, a few seconds)..." >&2
    rm -f "$aot" "$flags_file"
    if "$JAVA_HOME/bin/java" "${opts[@]}" "${foss_fixed_opts[@]}" -XX:AOTCacheOutput="$aot" -Xlog:aot=off \
         -Xlog:cds=off -jar "$jar" train >"$log" 2>&1 && [ -f "$aot" ]; then
      echo "$flags" > "$flags_file"
    else
      echo "foss-infra: the start-up cache could not be made (see $log); starting without it" >&2
      rm -f "$aot"
    fi
  fi
  if [ -f "$aot" ]; then foss_aot_opts=(-XX:AOTCache="$aot" -Xlog:aot=off -Xlog:cds=off); fi
  return 0
}
