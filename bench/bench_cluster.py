# Shared by the benchmark drivers: the cluster launchers (mock or real), the kcat-produced data set, child runs.
import json
import statistics
import subprocess
import sys
import time


def add_data_arguments(parser):
    """The options every benchmark driver shares: where the build is, the data set, how many runs."""
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=64)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python-runs", type=int, default=3)


def start_launcher(argv):
    """Starts a cluster launcher (kspout-mock-cluster, kspout-kafka-broker): it prints "bootstrap
    HOST:PORT" when ready, takes commands on stdin, and stops when stdin closes."""
    launcher = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = launcher.stdout.readline().split()
    if len(line) != 2 or line[0] != "bootstrap":
        sys.exit(f"{argv[0]} did not start (it printed {line})")
    return launcher, line[1]


def start_mock(launcher, brokers=3):
    return start_launcher([launcher, "--brokers", str(brokers)])


def stop_mock(mock):
    mock.stdin.close()
    mock.wait(timeout=30)


def command(mock, line):
    mock.stdin.write(line + "\n")
    mock.stdin.flush()
    answer = mock.stdout.readline().strip()
    if answer != "ok":
        sys.exit(f"mock cluster refused '{line}': {answer}")


def load(bootstrap, topic, messages, value_size):
    """Has kcat produce `messages` keyed JSON-like values of `value_size` bytes; returns seconds."""
    padding = "x" * value_size
    start = time.monotonic()
    kcat = subprocess.Popen(["kcat", "-b", bootstrap, "-P", "-t", topic, "-K", "\t",
                             "-X", "linger.ms=50", "-X", "batch.num.messages=2000"],
                            stdin=subprocess.PIPE)
    chunk = []
    for i in range(messages):
        value = f'{{"n":{i},"user":{i * 7919 % 100000}}}'
        chunk.append(f"key-{i}\t{(value + padding)[:value_size]}\n")
        if len(chunk) == 10000:
            kcat.stdin.write("".join(chunk).encode())
            chunk = []
    kcat.stdin.write("".join(chunk).encode())
    kcat.stdin.close()
    if kcat.wait() != 0:
        sys.exit("kcat failed to produce the data set")
    return time.monotonic() - start


def run(argv, timeout):
    """Runs a benchmark child that prints one JSON line last; exits the driver if it fails."""
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.exit(f"{argv[0]} failed ({out.returncode}): {out.stderr.strip()[-800:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(name, r):
    """One run's line: the rate, and the process's CPU and peak RSS when it reported them."""
    line = f"  {name:24s} {r['tuples'] / r['seconds']:>10,.0f} /s"
    if r.get("max_rss_kb"):
        line += f"  cpu {r['cpu_seconds']:6.2f} s  rss {r['max_rss_kb'] / 1024:4.0f} MB"
    print(line, flush=True)


def medians(runs):
    """Medians over runs: items per second, CPU microseconds per item, peak RSS in MB, and the
    driver's CPU microseconds per item (None when the runs have no driver)."""
    rate = statistics.median(r["tuples"] / r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] / r["tuples"] for r in runs) * 1e6
    rss = statistics.median(r["max_rss_kb"] for r in runs) / 1024
    driver = None
    if "driver_cpu_seconds" in runs[0]:  # the stand-in for Storm's side of the pipe
        driver = statistics.median(r["driver_cpu_seconds"] / r["tuples"] for r in runs) * 1e6
    return rate, cpu, rss, driver
