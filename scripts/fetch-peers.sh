#!/usr/bin/env bash
# Fetches the Apache Kafka brokers the real-kafka tests run (jars from Maven) into a cache outside the tree.
#
# usage: scripts/fetch-peers.sh [SCALA:VERSION[:PROFILES]]...
# Without arguments: every version in tests/peers/versions.txt. Each lands in
#   ${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/kafka/VERSION/libs
# next to a file `complete` naming its jars; a version whose folder is complete is skipped, so a
# second run makes no Maven call at all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}/kafka
pom=$root/tests/peers/pom.xml

if (($# == 0)); then
  mapfile -t specs < <(grep -v '^\s*\(#\|$\)' "$root/tests/peers/versions.txt" | awk '{print $1}')
else
  specs=("$@")
fi

# True when every jar named in DIR/complete is there.
is_complete() {
  local dir=$1 jar
  [[ -s $dir/complete ]] || return 1
  while read -r jar; do [[ -f $dir/libs/$jar ]] || return 1; done <"$dir/complete"
}

for spec in "${specs[@]}"; do
  IFS=: read -r scala version profiles <<<"$spec"
  dir=$cache/$version
  if is_complete "$dir"; then continue; fi
  command -v mvn >/dev/null || { echo "fetch-peers: mvn not found (apt-get install maven)" >&2; exit 1; }
  echo "fetch-peers: kafka_$scala $version" >&2
  mkdir -p "$cache"
  staging=$(mktemp -d "$cache/.staging.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  args=(-q -B -Dstyle.color=never -f "$pom" -Dkafka.scala="$scala" -Dkafka.version="$version"
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging/libs")
  if [[ -n ${profiles:-} ]]; then args+=(-P "$profiles"); fi
  if ! mvn "${args[@]}" >"$staging/mvn.log" 2>&1; then
    echo "fetch-peers: maven could not resolve kafka_$scala $version:" >&2
    grep -m 5 ERROR "$staging/mvn.log" >&2 || tail -n 5 "$staging/mvn.log" >&2
    exit 1
  fi
  (cd "$staging/libs" && ls *.jar) >"$staging/complete"
  rm -rf "$dir"
  mkdir -p "$dir"
  mv "$staging/libs" "$staging/complete" "$dir/"
  rm -rf "$staging"
  trap - EXIT
done
