#!/usr/bin/env bash
# Resolves Apache Storm (what the topology-examples Maven build and bench/storm need) into Maven's local repository.
#
# A throwaway build of topology-examples, with empty stand-ins for the executables it packs and
# its output in a temporary directory, resolves exactly the jars and plugins the real build uses;
# the build itself (CMake's kspout_topology_jar target) then runs Maven offline. The list of jars
# it resolved is kept in ${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/storm; while every jar on that
# list is still there and the pom is unchanged, a second run makes no Maven call at all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/topology-examples/pom.xml
bench_pom=$root/bench/storm/pom.xml # what bench/storm adds: storm-kafka-client and its Kafka client
cache=${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/storm
stamp=$cache/resolved-$(cat "$pom" "$bench_pom" | sha256sum | cut -c1-16)

# True when the stamp exists and names only jars that are still in the local repository.
is_complete() {
  local jar
  [[ -s $stamp ]] || return 1
  while read -r jar; do [[ -f $jar ]] || return 1; done <"$stamp"
}

if is_complete; then exit 0; fi
command -v mvn >/dev/null || { echo "fetch-storm: mvn not found (apt-get install maven)" >&2; exit 1; }
echo "fetch-storm: resolving Apache Storm for topology-examples" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Empty stand-ins for the executables the jar carries (the enforcer checks that they exist).
for binary in kafka-spout kafka-bolt wordcount-split-bolt wordcount-count-bolt; do : >"$work/$binary"; done
if ! mvn -q -B -Dstyle.color=never -f "$pom" -Dkafka.spout.dir="$work" -Dkafka.bolt.dir="$work" \
    -Dwordcount.bolts.dir="$work" -Dtopology.build.dir="$work/target" package >"$work/mvn.log" 2>&1; then
  echo "fetch-storm: maven could not resolve Storm:" >&2
  grep -m 5 ERROR "$work/mvn.log" >&2 || tail -n 5 "$work/mvn.log" >&2
  exit 1
fi
mkdir -p "$cache"
rm -f "$cache"/resolved-*
{ tr ':' '\n' <"$work/target/classpath.txt"; echo; } | grep . >"$work/jars"
# Flux goes into the jar by artifact, not as a dependency: list its jars too.
for flux in flux-core flux-wrappers; do
  grep '/storm-client-[^/]*\.jar$' "$work/jars" | sed "s#storm-client#$flux#g" >>"$work/jars"
done
if ! mvn -q -B -Dstyle.color=never -f "$bench_pom" dependency:build-classpath \
    -Dmdep.outputFile="$work/bench-classpath.txt" >"$work/mvn-bench.log" 2>&1; then
  echo "fetch-storm: maven could not resolve bench/storm's jars:" >&2
  grep -m 5 ERROR "$work/mvn-bench.log" >&2 || tail -n 5 "$work/mvn-bench.log" >&2
  exit 1
fi
{ tr ':' '\n' <"$work/bench-classpath.txt"; echo; } | grep . >>"$work/jars"
mv "$work/jars" "$stamp"
