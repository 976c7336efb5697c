# Real-broker benchmark driver: one Kafka broker, the same data for every client, ours vs the peers.
#
# Starts a real Apache Kafka broker (kspout-kafka-broker, KRaft for 4.x) and, per codec:
# producers (ours and librdkafka, each plain and idempotent, and Kafka's ProducerPerformance,
# idempotent by default) each write N records of VALUE_SIZE bytes with acks=all into a
# 64-partition topic, in turns; then our producer loads N records into
# another topic and the consumers (ours, librdkafka, confluent-kafka, Kafka's ConsumerPerformance)
# each read all of them from the beginning, in turns, after one unmeasured turn. With --tls the
# consumers are ours, librdkafka and confluent-kafka, each over plaintext and over mutual TLS.
# Prints medians (with the broker's CPU during each client's runs) and the ratios.
# Run with Debian's /usr/bin/python3 (scripts/bench.sh real-kafka).
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_cluster import add_data_arguments, command, start_launcher, stop_mock  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get("KSPOUT_CACHE", os.path.expanduser("~/.cache/kafka-spout"))


def run_java(argv, messages, parse):
    """Runs one of Kafka's perf tools; its own rate (without the JVM's start) gives the seconds,
    the child's rusage the CPU (JVM start and JIT included) and peak RSS."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{argv[-1]} failed ({child.returncode}): {out[-800:]}")
    rate = parse(out)
    if rate is None:
        sys.exit(f"cannot read the rate from: {out[-800:]}")
    return {"messages": messages, "seconds": messages / rate, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_kb": usage.ru_maxrss}


def java_tool(libs, tool, *args):
    return ["java", "-Xmx512m", "-cp", os.path.join(libs, "*"), f"org.apache.kafka.tools.{tool}", *args]


def producer_rate(out):
    m = re.search(r"^\d+ records sent, ([0-9.]+) records/sec", out, re.M)
    return float(m.group(1)) if m else None


def consumer_rate(out):
    lines = [l for l in out.splitlines() if l.count(",") >= 9 and not l.startswith("start.time")]
    return float(lines[-1].split(",")[-1]) if lines else None  # fetch.nMsg.sec: without the group join


def run_measured(argv, timeout, env=None):
    """Like bench_cluster.run, but the CPU and peak RSS come from the child's own rusage."""
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=None if env is None else {**os.environ, **env})
    out, err = child.communicate(timeout=timeout)
    if child.returncode != 0:
        sys.exit(f"{argv[0]} failed ({child.returncode}): {err.strip()[-800:]}")
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    add_data_arguments(parser)
    parser.add_argument("--codecs", default="none,lz4")
    parser.add_argument("--kafka-version", default="4.4.0")
    parser.add_argument("--peer-python", default=os.path.join(CACHE, "python-peers/bin/python"),
                        help="a python with confluent-kafka (scripts/fetch-peers.sh makes it)")
    parser.add_argument("--only", choices=("producer", "consumer"), default=None)
    parser.add_argument("--tls", action="store_true",
                        help="consumers over plaintext and over mutual TLS (ours, librdkafka, confluent-kafka)")
    args = parser.parse_args()

    libs = os.path.join(CACHE, "kafka", args.kafka_version, "libs")
    launcher = os.path.join(args.build_dir, "tests/integration/kspout-kafka-broker")
    bench = os.path.join(args.build_dir, "bench")
    n, size, parts = args.messages, args.value_size, args.partitions
    if not os.path.isdir(libs):
        sys.exit(f"no Kafka {args.kafka_version} jars in {libs}: run scripts/fetch-peers.sh")
    check = subprocess.run([args.peer_python, "-c", "import confluent_kafka"], capture_output=True)
    if check.returncode != 0:
        sys.exit(f"{args.peer_python} has no confluent_kafka: run scripts/fetch-peers.sh")

    # The broker's JVM as Kafka's start scripts run it (full JIT, G1), not the tests' quick-start one:
    # its CPU per record is part of every client's rate on these two cores.
    broker, bootstrap = start_launcher([launcher, "--production-jvm", *(["--tls"] if args.tls else []),
                                        args.kafka_version])
    tls_bootstrap, tls_env = None, None
    if args.tls:
        words = broker.stdout.readline().split()
        if len(words) != 6 or words[0] != "tls":
            sys.exit(f"{launcher} --tls printed no TLS listener ({words})")
        tls_bootstrap = words[1]
        tls_env = dict(zip(("KSPOUT_BENCH_SSL_CA", "KSPOUT_BENCH_SSL_CERT", "KSPOUT_BENCH_SSL_KEY",
                            "KSPOUT_BENCH_SSL_KEY_PASSWORD"), words[2:]))
    results = {}  # (phase, codec, client) -> runs
    try:
        for codec in args.codecs.split(","):
            if args.only in (None, "producer"):
                topic = f"produce-{codec}"
                # Each run adds N records; retention keeps the disk use bounded.
                command(broker, f"topic {topic} {parts} segment.bytes=8388608 retention.bytes=33554432")
                def produce(program, *mode):
                    return lambda: run_measured([f"{bench}/kspout_bench_produce_{program}", bootstrap, topic, str(n),
                                                 str(size), codec, *mode], 1200)
                # Each C/C++ client plain (librdkafka's default) and idempotent (kafka-bolt's and the
                # Java client's default), so that every ratio compares the same guarantees.
                producers = {
                    "ours": produce("ours"),
                    "librdkafka": produce("librdkafka"),
                    "ours idem": produce("ours", "idempotent"),
                    "librdkafka idem": produce("librdkafka", "idempotent"),
                    "java": lambda: run_java(java_tool(libs, "ProducerPerformance", "--topic", topic,
                                                       "--num-records", str(n), "--record-size", str(size),
                                                       "--throughput", "-1", "--command-property",
                                                       f"bootstrap.servers={bootstrap}", "acks=all",
                                                       f"compression.type={codec}"),
                                             n, producer_rate),
                }
                measure(results, "producer", codec, producers, args.runs, broker)
            if args.only in (None, "consumer"):
                topic = f"consume-{codec}"
                command(broker, f"topic {topic} {parts}")
                loaded = run_measured([f"{bench}/kspout_bench_produce_ours", bootstrap, topic, str(n), str(size),
                                       codec], 1200)
                print(f"loaded {n} records of {size} bytes ({codec}) into {parts} partitions in "
                      f"{loaded['seconds']:.1f} s", flush=True)
                def consumer_programs(target, env):
                    return {
                        "ours": lambda: run_measured([f"{bench}/kspout_bench_consume_ours", target, topic, str(n)],
                                                     1200, env),
                        "librdkafka": lambda: run_measured([f"{bench}/kspout_bench_consume_librdkafka", target,
                                                            topic, str(n)], 1200, env),
                        "confluent-kafka": lambda: run_measured([args.peer_python,
                                                                 os.path.join(HERE, "confluent_consumer.py"),
                                                                 target, topic, str(n)], 1200, env),
                    }
                consumers = consumer_programs(bootstrap, None)
                if args.tls:
                    consumers.update({f"{name} tls": go for name, go in consumer_programs(tls_bootstrap,
                                                                                        tls_env).items()})
                else:
                    consumers["java"] = lambda: run_java(java_tool(libs, "ConsumerPerformance", "--bootstrap-server",
                                                                   bootstrap, "--topic", topic, "--num-records",
                                                                   str(n), "--timeout", "60000"),
                                                         n, consumer_rate)
                measure(results, "consumer", codec, consumers, args.runs, broker)
    finally:
        stop_mock(broker)
    report(results, n)


def broker_cpu(broker):
    """The CPU seconds the broker's JVM has used so far (the launcher's cpu command)."""
    broker.stdin.write("cpu\n")
    broker.stdin.flush()
    words = broker.stdout.readline().split()
    if len(words) != 2 or words[0] != "ok":
        sys.exit(f"the broker launcher did not tell its CPU: {words}")
    return float(words[1])


def measure(results, phase, codec, clients, runs, broker):
    # One unmeasured turn first: the broker's JIT and page cache warm up on it, not on whoever runs first.
    for go in clients.values():
        go()
    for i in range(runs):
        for name, go in clients.items():
            before = broker_cpu(broker)
            r = go()
            r["broker_cpu_seconds"] = broker_cpu(broker) - before
            results.setdefault((phase, codec, name), []).append(r)
            print(f"{phase} {codec} run {i + 1} {name:16s} {r['messages'] / r['seconds']:>12,.0f} msg/s "
                  f"cpu {r['cpu_seconds']:.2f} s rss {r['max_rss_kb'] / 1024:.0f} MB "
                  f"broker cpu {r['broker_cpu_seconds']:.2f} s", flush=True)


def report(results, n):
    medians = {}
    for (phase, codec, name), rs in results.items():
        medians[(phase, codec, name)] = (statistics.median(r["messages"] / r["seconds"] for r in rs),
                                         statistics.median(r["cpu_seconds"] for r in rs),
                                         statistics.median(r["max_rss_kb"] for r in rs) / 1024, len(rs),
                                         statistics.median(r["broker_cpu_seconds"] for r in rs))
    for phase, codec in sorted({(p, c) for p, c, _ in medians}):
        print(f"\n{phase}, {codec}: {n:,} records")
        print(f"{'client':18s}{'msg/s (median)':>16s}{'cpu s':>8s}{'cpu us/msg':>12s}{'peak RSS MB':>13s}"
              f"{'broker cpu s':>14s}{'runs':>6s}")
        for (p, c, name), (rate, cpu, rss, count, broker) in medians.items():
            if (p, c) == (phase, codec):
                print(f"{name:18s}{rate:>16,.0f}{cpu:>8.2f}{cpu / n * 1e6:>12.2f}{rss:>13.0f}{broker:>14.2f}"
                      f"{count:>6d}")
        pairs = [("ours", peer) for peer in ("librdkafka", "confluent-kafka", "java")]
        pairs += [("ours idem", "librdkafka idem"), ("ours idem", "java")]
        pairs += [("ours tls", "librdkafka tls"), ("ours tls", "confluent-kafka tls"), ("ours tls", "ours"),
                  ("librdkafka tls", "librdkafka")]
        for mine, other in pairs:
            if (phase, codec, mine) in medians and (phase, codec, other) in medians:
                rate, cpu = medians[(phase, codec, mine)][:2]
                other_rate, other_cpu = medians[(phase, codec, other)][:2]
                print(f"ratio {mine}/{other}: {rate / other_rate:.2f}x messages/s, "
                      f"{cpu / other_cpu:.2f}x CPU per message")


if __name__ == "__main__":
    main()
