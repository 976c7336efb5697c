#!/usr/bin/env bash
# The demo in real Apache Storm (scripts/demo.sh --storm, after the build): kcat writes a topic in
# every codec into a real Kafka broker; the example topology (kafka-spout x3 as one consumer group
# over a private ZooKeeper -> RecordingBolt) runs in Storm's LocalCluster until every message is
# acked and committed; then what the bolt got, what Storm's metrics consumer got, and the group's
# committed offsets as Kafka's own tool reports them. Everything it starts is stopped at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}
cache=${KSPOUT_CACHE:-$HOME/.cache/kafka-spout}
source "$root/scripts/zookeeper.sh"

maven_dir=$build_dir/topology-examples/maven
jar=$maven_dir/kafka-spout-topology-0.1.0.jar
[[ -f $jar && -s $maven_dir/classpath.txt ]] || {
  echo "demo: no topology jar in $maven_dir (scripts/install-deps.sh fetches Storm; the build makes it)" >&2
  exit 1
}
kafka_libs=$cache/kafka/4.4.0/libs
messages_per_codec=60
codecs=(none gzip snappy lz4 zstd)
total=$((messages_per_codec * ${#codecs[@]}))
partitions=6

work=$(mktemp -d)
zk_pid=""
storm_pid=""
storm_in=""
cleanup() {
  set +e
  # LocalRun shuts the cluster down when its stdin closes; the spouts see theirs close and exit.
  if [[ -n $storm_pid ]]; then
    [[ -n $storm_in ]] && exec {storm_in}>&-
    for _ in $(seq 300); do kill -0 "$storm_pid" 2>/dev/null || break; sleep 0.2; done # polling for its exit
    kill -9 "$storm_pid" 2>/dev/null
    for pid_file in "$work"/storm-tmp/*/workers/*/pids/*; do
      [[ -e $pid_file ]] || continue
      pid=${pid_file##*/}
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done # polling for its exit
      kill -9 "$pid" 2>/dev/null
    done
  fi
  [[ -n ${broker[1]:-} ]] && exec {broker[1]}>&-
  [[ -n $zk_pid ]] && kill "$zk_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM
fail() {
  echo "demo: $*" >&2
  [[ -f $work/storm.log ]] && { echo "--- LocalCluster log (end) ---" >&2; tail -n 40 "$work/storm.log" >&2; }
  exit 1
}

coproc broker { exec "$build_dir/tests/integration/kspout-kafka-broker"; }
read -r word bootstrap <&"${broker[0]}" || true
[[ ${word:-} == bootstrap ]] || fail "the Kafka broker did not start"
echo "topic demo $partitions" >&"${broker[1]}"
read -r answer <&"${broker[0]}"
[[ $answer == ok ]] || fail "topic demo $partitions -> $answer"
echo "== real Kafka broker (Apache Kafka 4.4, KRaft) at $bootstrap, topic demo with $partitions partitions"

for codec in "${codecs[@]}"; do
  for i in $(seq "$messages_per_codec"); do
    echo "user-$i:{\"event\":\"click\",\"codec\":\"$codec\",\"n\":$i}"
  done | kcat -b "$bootstrap" -P -t demo -z "$codec" -K: -H source=kcat -H "codec=$codec"
done
echo "== kcat produced $total messages (${#codecs[@]} codecs x $messages_per_codec keys) to demo"

echo "== a private ZooKeeper for Storm and the consumer group"
start_zookeeper "$work/zk"

echo "== Storm LocalCluster (Storm 2.8.3, one JVM, -Xmx512m)"
mkfifo "$work/storm.in" "$work/storm.out"
mkdir -p "$work/storm-tmp"
java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.io.tmpdir="$work/storm-tmp" \
  -Dlog4j2.configurationFile="$root/tests/integration/storm_log4j2.xml" \
  -cp "$jar:$(cat "$maven_dir/classpath.txt")" example.LocalRun "127.0.0.1:$zk_port" /storm-demo \
  < "$work/storm.in" > "$work/storm.out" 2> "$work/storm.log" &
storm_pid=$!
exec {storm_in}>"$work/storm.in" {storm_out}<"$work/storm.out"
storm() {
  echo "$*" >&"$storm_in"
  read -r -t 120 answer <&"$storm_out" || fail "LocalCluster gave no answer to: $*"
  echo "$answer"
}
read -r -t 120 answer <&"$storm_out" || true
[[ ${answer:-} == ready ]] || fail "LocalCluster did not start"

echo "== submitting ExampleTopology: kafka-spout x3 (balanced over ZooKeeper) -> RecordingBolt -> ack"
records=$work/records.txt
metrics=$work/metrics.txt
answer=$(storm submit demo "bootstrap=$bootstrap" "zookeeper=127.0.0.1:$zk_port" topic=demo group=demo-storm \
  "out=$records" parallelism=3 mode=balanced "metrics.out=$metrics" metrics.bucket.secs=1 metrics.interval.ms=500)
[[ $answer == "submitted demo" ]] || fail "submit: $answer"

# Polls until the bolt acked every message and the spouts report them all committed.
distinct_acked() { [[ -f $records ]] && awk '$5 == "acked" { print $2, $3 }' "$records" | sort -u | wc -l || echo 0; }
metric_sum() { [[ -f $metrics ]] && awk -v n="kafka-spout.$1" '$4 == n && $5 != "null" { s += $5 } END { print s + 0 }' "$metrics" || echo 0; }
started=$SECONDS
until [[ $(distinct_acked) -eq $total && $(metric_sum committed) -eq $total ]]; do
  (( SECONDS - started < 180 )) || fail "after 180 s: $(distinct_acked) of $total acked, $(metric_sum committed) committed"
  kill -0 "$storm_pid" 2>/dev/null || fail "LocalCluster's JVM ended"
  sleep 0.5 # polling the bolt's file and the metrics consumer's
done
echo "== every message acked and committed after $((SECONDS - started)) s"

echo
echo "== RecordingBolt: the first 10 tuples (topic partition offset spout-task outcome)"
head -n 10 "$records" | sed 's/^/   /'
echo "== per spout task: tuples the bolt got"
awk '{ n[$4]++ } END { for (t in n) printf "   task %s: %d\n", t, n[t] }' "$records" | sort
printf '== the bolt: %d tuples, %d distinct messages acked, %d failed\n' \
  "$(wc -l < "$records")" "$(distinct_acked)" "$(awk '$5 == "failed"' "$records" | wc -l)"
echo "== Storm metrics consumer (KafkaShellSpout's metrics, summed over tasks and buckets)"
for kind in emitted acked failed replayed committed; do
  printf '   kafka-spout.%-9s %d\n' "$kind" "$(metric_sum "$kind")"
done
awk '$4 == "kafka-spout.lag" && $5 != "null" { lag[$2] = $5 } END { for (t in lag) printf "   kafka-spout.lag       task %s: %d\n", t, lag[t] }' \
  "$metrics" | sort

answer=$(storm kill demo)
[[ $answer == "killed demo" ]] || fail "kill: $answer"
echo "== topology killed; the group's committed offsets, from Kafka's own kafka-consumer-groups tool:"
groups=$(java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$kafka_libs/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
  --bootstrap-server "$bootstrap" --describe --group demo-storm 2>/dev/null) || fail "kafka-consumer-groups failed"
awk 'NF >= 6 { printf "   %-9s %-9s %-14s %-14s %s\n", $2, $3, $4, $5, $6 }' <<< "$groups"
awk -v total="$total" '$2 == "demo" { committed += $4; if ($4 != $5) behind++ }
  END { exit !(committed == total && behind == 0) }' <<< "$groups" || fail "committed offsets are not the end offsets"
echo "== committed == end offsets on every partition: $total of $total messages"
