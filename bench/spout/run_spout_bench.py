# Spout benchmark driver: kafka-spout vs a kafka-python multilang spout, end to end, on one data set.
#
# Starts librdkafka's mock cluster, has kcat produce N messages over P partitions, then in turns:
# our raw consumer reads them all (the ceiling), kafka-spout is driven through the multilang pipe
# by kspout_bench_spout_drive (next, one ack per tuple, deactivate, EOF), and so is
# python_spout.py, and kafka-spout once more with kafka.client.engine=rdkafka (librdkafka fetching
# and committing under the same spout), each in Storm's two acking modes: with ackers (every ack waits for its sync)
# and with zero ackers (acks written as emits arrive). kspout_bench_pipe_floor measures the bare
# ack/sync round trip, the ceiling of the first mode. Each spout run uses a fresh group;
# afterwards every partition's committed offset must equal its end offset, or the benchmark
# stops. Prints medians, ours/python per mode, our engine against the rdkafka engine, and ours as
# a fraction of the raw consumer.
# Run with Debian's /usr/bin/python3.
import argparse
import json
import os
import sys

from kafka import KafkaConsumer, TopicPartition

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from bench_cluster import add_data_arguments, command, load, medians, report, run, start_mock, stop_mock  # noqa: E402


def check_committed(bootstrap, topic, group, partitions):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=group, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        ends = consumer.end_offsets(tps)
        behind = {tp.partition: (consumer.committed(tp), ends[tp]) for tp in tps if consumer.committed(tp) != ends[tp]}
    finally:
        consumer.close(autocommit=False)
    if behind:
        sys.exit(f"group {group}: committed offsets differ from end offsets (committed, end): {behind}")


def main():
    parser = argparse.ArgumentParser()
    add_data_arguments(parser)
    parser.add_argument("--batch", type=int, default=100, help="tuples per next, for both spouts")
    args = parser.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)

    launcher = os.path.join(args.build_dir, "tests/integration/kspout-mock-cluster")
    raw = os.path.join(args.build_dir, "bench/kspout_bench_consume_ours")
    drive = os.path.join(args.build_dir, "bench/kspout_bench_spout_drive")
    pipe_floor = os.path.join(args.build_dir, "bench/kspout_bench_pipe_floor")
    kafka_spout = [os.path.join(args.build_dir, "spout/kafka-spout")]
    # name -> (command, the conf it adds)
    # The same driver against a spout on our multilang library that emits constant tuples and does
    # nothing on ack: what any spout on this library gets; kafka-spout's own work is the difference.
    trivial = [os.path.join(args.build_dir, "bench/kspout_bench_trivial_spout")]
    spouts = {"trivial spout": (trivial, {}),
              "kafka-spout": (kafka_spout, {}),
              "kafka-spout/rdkafka": (kafka_spout, {"kafka.client.engine": "rdkafka"}),
              "python spout": (["/usr/bin/python3", os.path.join(here, "python_spout.py")], {})}
    modes = ("acker", "zero-acker")

    mock, bootstrap = start_mock(launcher)
    results = {"raw consumer": [], "pipe floor": []}
    results.update({f"{name} {mode}": [] for mode in modes for name in spouts})
    try:
        command(mock, f"topic bench {args.partitions} 1")
        took = load(bootstrap, "bench", args.messages, args.value_size)
        print(f"loaded {args.messages} messages of {args.value_size} bytes into {args.partitions} partitions "
              f"with kcat in {took:.1f} s", flush=True)

        def drive_spout(mode, argv, extra_conf, group):
            conf = {"topology.subprocess.timeout.secs": 30, "kafka.bootstrap.servers": bootstrap,
                    "kafka.topic": "bench", "kafka.group.id": group, "kafka.spout.assignment": "static",
                    "kafka.spout.batch.size": args.batch, **extra_conf}
            r = run([drive, mode, str(args.messages), json.dumps(conf), "--"] + argv, 1800)
            if argv != trivial:  # it reads nothing and commits nothing
                check_committed(bootstrap, "bench", group, args.partitions)
            return r

        for i in range(args.runs):
            print(f"run {i + 1}", flush=True)
            r = run([raw, bootstrap, "bench", str(args.messages)], 600)
            r["tuples"] = r["messages"]
            results["raw consumer"].append(r)
            report("raw consumer", r)
            r = run([pipe_floor, str(min(args.messages, 200_000))], 600)
            results["pipe floor"].append(r)
            report("pipe floor", r)
            for mode in modes:
                for name, (argv, extra_conf) in spouts.items():
                    if name == "python spout" and i >= args.python_runs:
                        continue
                    group = f"bench-{name.split()[0].replace('/', '-')}-{mode}-{i}"
                    r = drive_spout(mode, argv, extra_conf, group)
                    results[f"{name} {mode}"].append(r)
                    report(f"{name} {mode}", r)
    finally:
        stop_mock(mock)

    print()
    print(f"{'':32s}{'tuples/s (median)':>19s}{'cpu us/tuple':>14s}{'peak RSS MB':>13s}{'runs':>6s}"
          f"{'driver cpu us/tuple':>21s}")
    rates, cpus = {}, {}
    for name, rs in results.items():
        rates[name], cpus[name], rss, driver = medians(rs)
        if name == "pipe floor":  # no spout process: only the round trip counts
            print(f"{name:32s}{rates[name]:>19,.0f}{'-':>14s}{'-':>13s}{len(rs):>6d}")
            continue
        line = f"{name:32s}{rates[name]:>19,.0f}{cpus[name]:>14.2f}{rss:>13.0f}{len(rs):>6d}"
        if driver is not None:
            line += f"{driver:>21.2f}"
        print(line)
    print()
    for mode in modes:
        ours, python = rates[f"kafka-spout {mode}"], rates[f"python spout {mode}"]
        print(f"{mode:10s} kafka-spout/python spout: {ours / python:.1f}x tuples/s, "
              f"{cpus[f'python spout {mode}'] / cpus[f'kafka-spout {mode}']:.1f}x less CPU per tuple; "
              f"kafka-spout = {ours / rates['raw consumer']:.2f} of the raw consumer's msg/s")
    for mode in modes:
        ours, theirs = rates[f"kafka-spout {mode}"], rates[f"kafka-spout/rdkafka {mode}"]
        print(f"{mode:10s} kafka-spout, our engine/rdkafka engine: {ours / theirs:.2f}x tuples/s, "
              f"{cpus[f'kafka-spout/rdkafka {mode}'] / cpus[f'kafka-spout {mode}']:.2f}x less CPU per tuple")
    for mode in modes:
        ours, trivial_rate = rates[f"kafka-spout {mode}"], rates[f"trivial spout {mode}"]
        print(f"{mode:10s} kafka-spout/trivial spout (same driver, same library): {ours / trivial_rate:.2f}x tuples/s, "
              f"{cpus[f'kafka-spout {mode}'] - cpus[f'trivial spout {mode}']:+.2f} us CPU per tuple")
    print(f"acker mode ceiling (pipe round trip): {rates['pipe floor']:,.0f} tuples/s; kafka-spout reaches "
          f"{rates['kafka-spout acker'] / rates['pipe floor']:.2f} of it, the trivial spout "
          f"{rates['trivial spout acker'] / rates['pipe floor']:.2f}")


if __name__ == "__main__":
    main()
