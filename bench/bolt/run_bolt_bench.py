# Bolt benchmark driver: kafka-bolt vs a pystorm + kafka-python bolt, end to end, on one data set.
#
# Starts librdkafka's mock cluster (3 brokers, loopback). In turns, each into a fresh topic of P
# partitions: kspout_bench_bolt_drive plays Storm's acking ShellBolt (tuples ["key-i", value]
# while fewer than --max-pending wait, heartbeats every second) against kafka-bolt, against
# pystorm_kafka_bolt.py (pystorm's Bolt, kafka-python's producer, ack in the delivery callback),
# against kafka-bolt with kafka.client.engine=rdkafka (librdkafka producing under the same bolt),
# and against ack_bolt (acks at once: the floor the pipe, the framing and the driver set); and
# our producer alone and librdkafka's, writing the same records without Storm. After each bolt
# run the topic must hold one record per tuple, or the benchmark stops. Prints medians and the
# ratios. Run with Debian's /usr/bin/python3; the Python bolt runs in the peers' venv
# (scripts/fetch-python-peers.sh), which has pystorm.
import argparse
import json
import os
import sys

from kafka import KafkaConsumer, TopicPartition

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from bench_cluster import add_data_arguments, command, medians, report, run, start_mock, stop_mock  # noqa: E402

CACHE = os.environ.get("KSPOUT_CACHE", os.path.expanduser("~/.cache/kafka-spout"))


def records_in(bootstrap, topic, partitions):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","))
    try:
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in range(partitions)])
    finally:
        consumer.close()
    return sum(ends.values())


def main():
    parser = argparse.ArgumentParser()
    add_data_arguments(parser)
    parser.set_defaults(messages=200_000, partitions=16)
    parser.add_argument("--max-pending", type=int, default=100, help="topology.shellbolt.max.pending")
    parser.add_argument("--peer-python", default=os.path.join(CACHE, "python-peers/bin/python"),
                        help="a python with pystorm and kafka-python (scripts/fetch-python-peers.sh makes it)")
    args = parser.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)

    launcher = os.path.join(args.build_dir, "tests/integration/kspout-mock-cluster")
    drive = os.path.join(args.build_dir, "bench/kspout_bench_bolt_drive")
    kafka_bolt = [os.path.join(args.build_dir, "spout/bolt/kafka-bolt")]
    # name -> (command, the conf it adds)
    bolts = {"kafka-bolt": (kafka_bolt, {}),
             "kafka-bolt/rdkafka": (kafka_bolt, {"kafka.client.engine": "rdkafka"}),
             "python bolt": ([args.peer_python, os.path.join(here, "pystorm_kafka_bolt.py")], {}),
             "ack floor": ([os.path.join(args.build_dir, "bench/kspout_bench_ack_bolt")], {})}
    producers = {"producer ours": os.path.join(args.build_dir, "bench/kspout_bench_produce_ours"),
                 "producer librdkafka": os.path.join(args.build_dir, "bench/kspout_bench_produce_librdkafka")}

    mock, bootstrap = start_mock(launcher)
    results = {name: [] for name in list(bolts) + list(producers)}
    topics = 0

    def fresh_topic():
        nonlocal topics
        topics += 1
        topic = f"bench-bolt-{topics}"
        command(mock, f"topic {topic} {args.partitions} 1")
        return topic

    try:
        for i in range(args.runs):
            print(f"run {i + 1}", flush=True)
            for name, (argv, extra_conf) in bolts.items():
                if name == "python bolt" and i >= args.python_runs:
                    continue
                topic = fresh_topic()
                # The handshake's conf carries Storm's defaults, topology.shellbolt.max.pending among them.
                conf = {"topology.subprocess.timeout.secs": 30, "topology.shellbolt.max.pending": args.max_pending,
                        "kafka.bootstrap.servers": bootstrap, "kafka.bolt.topic": topic,
                        "kafka.bolt.fields": "key,value", **extra_conf}
                r = run([drive, str(args.messages), str(args.max_pending), str(args.value_size), json.dumps(conf),
                         "--"] + argv, 1800)
                # pystorm exits 2 when Storm goes away (stdin ends); ours exit 0.
                if r["exit_status"] not in ((0, 2) if name == "python bolt" else (0,)):
                    sys.exit(f"{name} exited with status {r['exit_status']} after its stdin closed")
                if name != "ack floor":
                    written = records_in(bootstrap, topic, args.partitions)
                    if written != args.messages:
                        sys.exit(f"{name}: {written} records in {topic} for {args.messages} acked tuples")
                results[name].append(r)
                report(name, r)
            for name, program in producers.items():
                r = run([program, bootstrap, fresh_topic(), str(args.messages), str(args.value_size), "none"], 600)
                r["tuples"] = r["messages"]
                results[name].append(r)
                report(name, r)
    finally:
        stop_mock(mock)

    print()
    print(f"{'':24s}{'records/s (median)':>19s}{'cpu us/record':>15s}{'peak RSS MB':>13s}{'runs':>6s}"
          f"{'driver cpu us/tuple':>21s}")
    rates, cpus = {}, {}
    for name, rs in results.items():
        if not rs:  # the python bolt with --python-runs 0
            continue
        rates[name], cpus[name], rss, driver = medians(rs)
        line = f"{name:24s}{rates[name]:>19,.0f}{cpus[name]:>15.2f}{rss:>13.0f}{len(rs):>6d}"
        if driver is not None:
            line += f"{driver:>21.2f}"
        print(line)
    print()
    ours = rates["kafka-bolt"]
    if "python bolt" in rates:
        print(f"kafka-bolt/python bolt: {ours / rates['python bolt']:.1f}x records/s, "
              f"{cpus['python bolt'] / cpus['kafka-bolt']:.1f}x less CPU per record")
    theirs = rates["kafka-bolt/rdkafka"]
    print(f"kafka-bolt, our engine/rdkafka engine: {ours / theirs:.2f}x records/s, "
          f"{cpus['kafka-bolt/rdkafka'] / cpus['kafka-bolt']:.2f}x less CPU per record")
    print(f"pipe floor (ack bolt, max pending {args.max_pending}): {rates['ack floor']:,.0f} tuples/s; "
          f"kafka-bolt reaches {ours / rates['ack floor']:.2f} of it")
    print(f"producers alone: ours/librdkafka {rates['producer ours'] / rates['producer librdkafka']:.2f}x records/s; "
          f"kafka-bolt = {ours / rates['producer ours']:.2f} of our producer alone")


if __name__ == "__main__":
    main()
