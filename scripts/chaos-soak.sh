#!/usr/bin/env bash
# The long chaos soak: 4 kafka-spout tasks over 64 partitions and 200k messages under random faults,
# on the mock cluster (default), with --real on a real 3-node Kafka cluster, or with --storm inside
# Storm's LocalCluster on a real 3-node Kafka cluster (tests/integration/spout_chaos_test.cpp,
# real_kafka_cluster_chaos_test.cpp, storm_chaos_test.cpp). Prints messages,
# duplicates, faults and lost (0). Overrides: KSPOUT_CHAOS_TASKS, _PARTITIONS, _MESSAGES, _FAULTS, _SEED.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${KSPOUT_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" >/dev/null
export KSPOUT_CHAOS_TASKS=${KSPOUT_CHAOS_TASKS:-4}
export KSPOUT_CHAOS_PARTITIONS=${KSPOUT_CHAOS_PARTITIONS:-64}
export KSPOUT_CHAOS_MESSAGES=${KSPOUT_CHAOS_MESSAGES:-200000}
if [[ ${1:-} == --storm ]]; then
  export KSPOUT_CHAOS_FAULTS=${KSPOUT_CHAOS_FAULTS:-20}
  exec "$build_dir/tests/integration/kspout_storm_chaos_tests" --gtest_brief=1
fi
if [[ ${1:-} == --real ]]; then
  export KSPOUT_CHAOS_FAULTS=${KSPOUT_CHAOS_FAULTS:-20}
  exec "$build_dir/tests/integration/kspout_real_kafka_cluster_tests" --gtest_filter='RealClusterChaos.*' --gtest_brief=1
fi
export KSPOUT_CHAOS_FAULTS=${KSPOUT_CHAOS_FAULTS:-40}
exec "$build_dir/tests/integration/kspout_spout_integration_tests" --gtest_filter='SpoutChaos.*' --gtest_brief=1
