#!/usr/bin/env bash
# Installs, builds, then runs the demo on loopback: kcat writes a topic in every codec into a
# private mock Kafka cluster; kspout-peek reads it back with our own protocol code; then three
# kafka-spout tasks share the topic as one consumer group over a private ZooKeeper, driven the way
# Storm's ShellSpout drives them, every tuple acked and the offsets committed; last, the example
# Flux topology runs kafka-spout into a Python bolt with kspout-local-topology, no Storm needed.
# With --storm, runs scripts/demo-storm.sh instead: the example topology in Apache Storm's
# LocalCluster against a real Kafka broker.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}

storm=false
case "${1:-}" in
  "") ;;
  --storm) storm=true ;;
  *) echo "usage: scripts/demo.sh [--storm]" >&2; exit 2 ;;
esac

"$root/scripts/build.sh"
if $storm; then exec "$root/scripts/demo-storm.sh"; fi
source "$root/scripts/zookeeper.sh"

work=$(mktemp -d)
zk_pid=""
cleanup() {
  echo quit >&"${mock[1]}" 2>/dev/null || true
  [[ -n $zk_pid ]] && kill "$zk_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
coproc mock { exec "$build_dir/tests/integration/kspout-mock-cluster" --brokers 3; }
trap cleanup EXIT
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

echo
echo "== a private ZooKeeper for the consumer group"
start_zookeeper "$work/zk"

echo "== kafka-spout: 3 tasks in one group (balanced over ZooKeeper), every tuple acked"
conf=$(printf '{"kafka.bootstrap.servers":"%s","kafka.zookeeper.connect":"127.0.0.1:%s","kafka.topic":"demo","kafka.group.id":"demo-group","kafka.auto.offset.reset":"earliest","kafka.zookeeper.session.timeout.ms":4000,"kafka.spout.stats.interval.ms":0}' "$bootstrap" "$zk_port")
"$build_dir/multilang/kspout-run-spout" --tasks 3 --conf "$conf" --max-tuples 15 --idle-ms 5000 --print 15 \
  --fields partition,offset,key,value -- "$build_dir/spout/kafka-spout"

echo
echo "== kspout-local-topology: topology-examples/kafka-local.flux.yaml without Storm"
echo "   (kafka-spout x2 -> key_count_bolt.py x2 by key -> LogInfoBolt, acker and timeouts as Storm's)"
mkdir -p "$work/resources"
cp "$root/topology-examples/run-kafka-spout.sh" "$root/topology-examples/key_count_bolt.py" \
  "$build_dir/spout/kafka-spout" "$work/resources/"
"$build_dir/multilang/kspout-local-topology" "$root/topology-examples/kafka-local.flux.yaml" \
  --resources "$work/resources" --set "kafka.bootstrap.servers=$bootstrap" --set kafka.topic=demo \
  --set kafka.group.id=demo-local --set kafka.spout.stats.interval.ms=0 --max-tuples 15 --print 5 --quiet
