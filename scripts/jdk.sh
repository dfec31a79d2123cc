# Sourced by ./foss-infra and ./run-tests: finds a JDK >= 21 and exports JAVA_HOME, or explains what to install.
min_java=21

java_major() { # prints the feature version of the java binary $1, or nothing
  # A JDK's release file says it without starting a JVM (each start costs ~100 ms, which the launcher would pay
  # for every candidate on every run); ask the binary only when there is no such file.
  local release v
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1)"
    # "1.8.0_392" style for 8 and older: not a candidate anyway
    if [ -n "$v" ] && [ "$v" != 1 ]; then echo "$v"; return; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

find_jdk() { # prints a JAVA_HOME whose java is >= $min_java, preferring JAVA_HOME, then PATH, then the newest under /usr/lib/jvm
  local candidates=() c v best="" best_v=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v="$(java_major "$c/bin/java")"
    [ -n "$v" ] || continue
    if [ "$v" -ge "$min_java" ]; then
      if [ -n "${JAVA_HOME:-}" ] && [ "$c" = "$JAVA_HOME" ]; then best="$c"; break; fi
      if [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
    fi
  done
  [ -n "$best" ] && echo "$best"
}

jdk="$(find_jdk || true)"
if [ -z "$jdk" ]; then
  cat >&2 <<MSG
foss-infra needs a JDK $min_java or newer, and none was found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm/*).
Install one, for example:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install openjdk-21-jdk
  Debian 12:                 a Temurin 21 or 25 JDK from https://adoptium.net (it installs under /usr/lib/jvm)
then run this command again (or point JAVA_HOME at it).
MSG
  exit 3
fi
export JAVA_HOME="$jdk"
jdk_major="$(java_major "$JAVA_HOME/bin/java")"
# Maven's bundled Guava warns about sun.misc.Unsafe on JDK 24+; silence it there (older JDKs don't know the flag).
maven_jvm_opts=""
if [ "$jdk_major" -ge 24 ]; then maven_jvm_opts="--sun-misc-unsafe-memory-access=allow"; fi
