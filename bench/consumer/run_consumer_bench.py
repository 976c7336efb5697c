# Consumer benchmark driver: one mock cluster, one data set, ours vs librdkafka vs kafka-python.
#
# Starts librdkafka's mock cluster (3 brokers on loopback), has kcat produce N keyed messages of
# ~100 bytes over P partitions, then runs each consumer several times in turns on the same data
# and prints medians and the ratios ours/librdkafka and ours/our rdkafka engine (librdkafka under
# the fetch_engine interface the spout uses). Run with Debian's /usr/bin/python3.
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_cluster import add_data_arguments, command, load, run, start_mock, stop_mock  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    add_data_arguments(parser)
    args = parser.parse_args()

    launcher = os.path.join(args.build_dir, "tests/integration/kspout-mock-cluster")
    ours = os.path.join(args.build_dir, "bench/kspout_bench_consume_ours")
    rdkafka = os.path.join(args.build_dir, "bench/kspout_bench_consume_librdkafka")
    kafka_python = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafka_python.py")

    mock, bootstrap = start_mock(launcher)
    try:
        command(mock, f"topic bench {args.partitions} 1")
        took = load(bootstrap, "bench", args.messages, args.value_size)
        print(f"loaded {args.messages} messages of {args.value_size} bytes into {args.partitions} partitions "
              f"with kcat in {took:.1f} s", flush=True)
        results = {"ours": [], "ours/rdkafka": [], "librdkafka": [], "kafka-python": []}
        data = [bootstrap, "bench", str(args.messages)]
        for i in range(args.runs):
            for name, argv in (("ours", [ours] + data), ("ours/rdkafka", [ours] + data + ["rdkafka"]),
                               ("librdkafka", [rdkafka] + data)):
                r = run(argv, 600)
                results[name].append(r)
                print(f"run {i + 1} {name:12s} {r['messages'] / r['seconds']:>12,.0f} msg/s "
                      f"cpu {r['cpu_seconds']:.2f} s rss {r['max_rss_kb'] / 1024:.0f} MB", flush=True)
            if i < args.python_runs:
                r = run(["/usr/bin/python3", kafka_python, bootstrap, "bench", str(args.messages)], 1200)
                results["kafka-python"].append(r)
                print(f"run {i + 1} {'kafka-python':12s} {r['messages'] / r['seconds']:>12,.0f} msg/s "
                      f"cpu {r['cpu_seconds']:.2f} s rss {r['max_rss_kb'] / 1024:.0f} MB", flush=True)
    finally:
        stop_mock(mock)

    print()
    print(f"{'client':14s}{'msg/s (median)':>16s}{'cpu s':>8s}{'cpu us/msg':>12s}{'peak RSS MB':>13s}{'runs':>6s}")
    medians = {}
    for name, rs in results.items():
        if not rs:
            continue
        rate = statistics.median(r["messages"] / r["seconds"] for r in rs)
        cpu = statistics.median(r["cpu_seconds"] for r in rs)
        rss = statistics.median(r["max_rss_kb"] for r in rs) / 1024
        medians[name] = (rate, cpu)
        print(f"{name:14s}{rate:>16,.0f}{cpu:>8.2f}{cpu / args.messages * 1e6:>12.2f}{rss:>13.0f}{len(rs):>6d}")
    ours_rate, ours_cpu = medians["ours"]
    rd_rate, rd_cpu = medians["librdkafka"]
    print()
    engine_rate, engine_cpu = medians["ours/rdkafka"]
    print(f"ratio ours/librdkafka: {ours_rate / rd_rate:.2f}x messages/s, "
          f"{ours_cpu / rd_cpu:.2f}x CPU per message")
    print(f"ratio ours/rdkafka engine: {ours_rate / engine_rate:.2f}x messages/s, "
          f"{ours_cpu / engine_cpu:.2f}x CPU per message")


if __name__ == "__main__":
    main()
