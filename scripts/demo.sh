#!/usr/bin/env bash
# Installs, builds, then runs the demo: kcat writes a topic in every codec into a private mock
# Kafka cluster on loopback, and kspout-peek reads it back with our own protocol code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}

"$root/scripts/build.sh"

coproc mock { exec "$build_dir/tests/integration/kspout-mock-cluster" --brokers 3; }
trap 'echo quit >&"${mock[1]}" 2>/dev/null || true; wait' EXIT
read -r word bootstrap <&"${mock[0]}"
[[ $word == bootstrap ]] || { echo "demo: mock cluster did not start" >&2; exit 1; }
ask() { echo "$*" >&"${mock[1]}"; read -r answer <&"${mock[0]}"; [[ $answer == ok ]] || { echo "demo: $* -> $answer" >&2; exit 1; }; }

echo "== mock Kafka cluster (librdkafka) at $bootstrap"
ask topic demo 5 1
partition=0
for codec in none gzip snappy lz4 zstd; do
  for i in 1 2 3; do
    echo "user-$i:{\"event\":\"click\",\"codec\":\"$codec\",\"n\":$i,\"padding\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"
  done | kcat -b "$bootstrap" -P -t demo -p $partition -z $codec -K: -H source=kcat -H codec=$codec
  echo "== kcat produced 3 messages to demo/$partition with compression $codec"
  partition=$((partition + 1))
done

echo "== kspout-peek: our ApiVersions, Metadata, ListOffsets, Fetch and record decoder"
"$build_dir/protocol/tools/kspout-peek" --bootstrap "$bootstrap" --topic demo
