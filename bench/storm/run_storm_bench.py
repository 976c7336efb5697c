#!/usr/bin/env python3
# Tuples/s acked end to end in Storm's LocalCluster: kafka-spout beside a Python ShellSpout
# (pystorm + kafka-python), storm-kafka-client's KafkaSpout, and a trivial C++ ShellSpout that
# emits constant tuples (the floor Storm's own side sets), same data, same counting bolt, with
# ackers and without, one spout task and four. Prints medians and the ratios.
import argparse
import os
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
from bench_cluster import add_data_arguments, command, load, start_launcher, stop_mock  # noqa: E402

CACHE = os.environ.get("KSPOUT_CACHE", os.path.expanduser("~/.cache/kafka-spout"))
ROOT = os.path.dirname(os.path.dirname(here))


def java_classpath(build_dir):
    """Compiles StormBench against the topology jar and bench/storm/pom.xml's jars (resolved by
    scripts/fetch-storm.sh; Maven runs offline here); returns the classpath to run it with."""
    maven_dir = os.path.join(build_dir, "topology-examples", "maven")
    jar = os.path.join(maven_dir, "kafka-spout-topology-0.1.0.jar")
    if not os.path.isfile(jar):
        sys.exit(f"no topology jar at {jar}: build the kspout_topology_jar target")
    with open(os.path.join(maven_dir, "classpath.txt")) as f:
        storm = f.read().strip()
    out = os.path.join(build_dir, "bench", "storm")
    os.makedirs(out, exist_ok=True)
    extra_file = os.path.join(out, "classpath.txt")
    mvn = subprocess.run(["mvn", "-o", "-q", "-B", "-f", os.path.join(here, "pom.xml"), "dependency:build-classpath",
                          f"-Dmdep.outputFile={extra_file}"], capture_output=True, text=True)
    if mvn.returncode != 0:
        sys.exit(f"maven could not list bench/storm's jars (run scripts/fetch-storm.sh): {mvn.stdout[-800:]}")
    with open(extra_file) as f:
        extra = f.read().strip()
    classes = os.path.join(out, "classes")
    cp = ":".join([jar, storm, extra])
    sources = [os.path.join(here, "src/main/java/bench/StormBench.java")]
    javac = subprocess.run(["javac", "-nowarn", "-cp", cp, "-d", classes] + sources, capture_output=True, text=True)
    if javac.returncode != 0:
        sys.exit(f"javac failed: {javac.stderr[-800:]}")
    return ":".join([classes, cp])


def run_java(cp, argv, timeout):
    log4j = os.path.join(ROOT, "tests/integration/storm_log4j2.xml")
    child = subprocess.run(["java", "-Xmx1g", f"-Dlog4j2.configurationFile={log4j}", "-cp", cp,
                            "bench.StormBench"] + argv, capture_output=True, text=True, timeout=timeout)
    if child.returncode != 0:
        sys.exit(f"StormBench {' '.join(argv[:4])} failed ({child.returncode}): {child.stderr.strip()[-1500:]}")
    import json
    return json.loads(child.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    add_data_arguments(parser)
    parser.set_defaults(messages=200_000, runs=3)
    parser.add_argument("--kafka-version", default="4.4.0")
    parser.add_argument("--parallelism", default="1,4")
    parser.add_argument("--spouts", default="trivial,kafka-spout,python,jvm")
    parser.add_argument("--peer-python", default=os.path.join(CACHE, "python-peers/bin/python"),
                        help="a python with pystorm and kafka-python (scripts/fetch-python-peers.sh makes it)")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)

    cp = java_classpath(build)
    kinds = {
        "trivial": ["shell", os.path.join(build, "bench/kspout_bench_trivial_spout")],
        "kafka-spout": ["kafka-spout"],
        "python": ["shell", args.peer_python, os.path.join(here, "pystorm_kafka_spout.py")],
        "jvm": ["jvm"],
    }
    spouts = args.spouts.split(",")
    parallelisms = [int(p) for p in args.parallelism.split(",")]
    broker, bootstrap = start_launcher([os.path.join(build, "tests/integration/kspout-kafka-broker"),
                                        args.kafka_version])
    results = {}
    try:
        command(broker, f"topic bench {args.partitions}")
        took = load(bootstrap, "bench", args.messages, args.value_size)
        print(f"loaded {args.messages} messages of {args.value_size} bytes into {args.partitions} partitions "
              f"with kcat in {took:.1f} s", flush=True)
        for i in range(args.runs):
            for ackers in ("on", "off"):
                for par in parallelisms:
                    for spout in spouts:
                        if spout == "python" and i >= args.python_runs:
                            continue
                        kind, *cmd = kinds[spout]
                        group = f"bench-{spout}-{ackers}-{par}-{i}"
                        r = run_java(cp, [kind, str(par), str(args.messages), ackers, bootstrap, "bench", group] + cmd,
                                     1800)
                        results.setdefault((ackers, par, spout), []).append(r)
                        print(f"run {i + 1} ackers {ackers:3s} x{par} {spout:12s} "
                              f"{r['tuples'] / r['seconds']:>10,.0f} tuples/s", flush=True)
    finally:
        stop_mock(broker)

    print()
    print(f"{'ackers':8s}{'tasks':>6s}  {'spout':14s}{'tuples/s (median)':>19s}{'spout cpu us/tuple':>20s}"
          f"{'jvm cpu us/tuple':>18s}{'runs':>6s}")
    rate = {}
    for (ackers, par, spout), rs in sorted(results.items()):
        rate[(ackers, par, spout)] = statistics.median(r["tuples"] / r["seconds"] for r in rs)
        spout_cpu = statistics.median(r["spout_process_cpu_seconds"] / r["tuples"] for r in rs) * 1e6
        jvm_cpu = statistics.median(r["jvm_cpu_seconds"] / r["tuples"] for r in rs) * 1e6
        shown = "-" if spout == "jvm" else f"{spout_cpu:.2f}"  # the JVM spout's CPU is in the JVM's
        print(f"{ackers:8s}{par:>6d}  {spout:14s}{rate[(ackers, par, spout)]:>19,.0f}{shown:>20s}{jvm_cpu:>18.2f}"
              f"{len(rs):>6d}")
    print()
    for ackers in ("on", "off"):
        for par in parallelisms:
            ours = rate.get((ackers, par, "kafka-spout"))
            if not ours:
                continue
            parts = [f"{other}: {ours / rate[(ackers, par, other)]:.2f}x" for other in ("trivial", "python", "jvm")
                     if (ackers, par, other) in rate]
            print(f"ackers {ackers:3s} x{par}: kafka-spout / " + ", ".join(parts))


if __name__ == "__main__":
    main()
