#!/usr/bin/env bash
# Builds with benchmarks on and runs the one named (default: all): records, consumer, spout, bolt,
# rebalance (group members in every mode on a real broker), real-kafka (producers and consumers on a
# real broker) and storm (spouts in Storm's LocalCluster on a real broker); those three are not part
# of all: they take long.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}

"$root/scripts/build.sh" -DKSPOUT_BUILD_BENCH=ON
which=${1:-all}
if [[ $which == all || $which == records ]]; then
  "$build_dir/bench/kspout_bench_records" --benchmark_color=false
fi
if [[ $which == all || $which == consumer ]]; then
  /usr/bin/python3 "$root/bench/consumer/run_consumer_bench.py" --build-dir "$build_dir" "${@:2}"
fi
if [[ $which == all || $which == spout ]]; then
  /usr/bin/python3 "$root/bench/spout/run_spout_bench.py" --build-dir "$build_dir" "${@:2}"
fi
if [[ $which == all || $which == bolt ]]; then
  /usr/bin/python3 "$root/bench/bolt/run_bolt_bench.py" --build-dir "$build_dir" "${@:2}"
fi
if [[ $which == real-kafka ]]; then
  /usr/bin/python3 "$root/bench/real_kafka/run_real_kafka_bench.py" --build-dir "$build_dir" "${@:2}"
fi
if [[ $which == storm ]]; then
  /usr/bin/python3 "$root/bench/storm/run_storm_bench.py" --build-dir "$build_dir" "${@:2}"
fi
if [[ $which == rebalance ]]; then
  "$build_dir/bench/rebalance/kspout_bench_rebalance" "${@:2}"
fi
