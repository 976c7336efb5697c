# One librdkafka group member (confluent-kafka from PyPI, with its own recent librdkafka), printing what kspout-balanced-member prints.
#
# Arguments: --bootstrap=H:P --topic=T --group=G --mode=classic|cooperative|kip848
#            [--session-timeout-ms=N] [--heartbeat-ms=N] [--instance-id=ID]
# Lines on stdout: "id <group>" once running, "assigned <p>=<offset> ...", "revoking <p> ...", "msg <p> <offset> <ns>" (ns on
# CLOCK_MONOTONIC, as ours prints), "error <text>", "stopped". Offsets are committed every second
# and on revoke (librdkafka's auto commit). Stops at the end of stdin or on SIGTERM.
import argparse
import os
import selectors
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def config(args):
    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "latest",
        "enable.auto.commit": True,
        "auto.commit.interval.ms": 1000,
        "fetch.wait.max.ms": 50,
        "log_level": 3,
    }
    if args.mode == "kip848":
        conf["group.protocol"] = "consumer"  # the broker assigns and times the session
    else:
        conf["session.timeout.ms"] = args.session_timeout_ms
        conf["heartbeat.interval.ms"] = args.heartbeat_ms
        conf["partition.assignment.strategy"] = "cooperative-sticky" if args.mode == "cooperative" else "range"
    if args.instance_id:
        conf["group.instance.id"] = args.instance_id
    return conf


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--mode", choices=("classic", "cooperative", "kip848"), required=True)
    parser.add_argument("--session-timeout-ms", type=int, default=2000)
    parser.add_argument("--heartbeat-ms", type=int, default=500)
    parser.add_argument("--instance-id", default="")
    args = parser.parse_args()

    consumer = Consumer(config(args), error_cb=lambda e: emit("error " + str(e)))
    emit("id " + args.group)  # running: what follows is the group protocol

    def on_assign(c, partitions):
        emit("assigned " + " ".join(f"{tp.partition}={tp.offset}" for tp in partitions))
        if args.mode == "cooperative" or args.mode == "kip848":
            c.incremental_assign(partitions)
        else:
            c.assign(partitions)

    def on_revoke(c, partitions):
        emit("revoking " + " ".join(str(tp.partition) for tp in partitions))

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    stdin = selectors.DefaultSelector()
    os.set_blocking(sys.stdin.fileno(), False)
    stdin.register(sys.stdin, selectors.EVENT_READ)
    while not stopping:
        for message in consumer.consume(num_messages=1000, timeout=0.02):
            if message.error() is None:
                now = time.monotonic_ns()
                sys.stdout.write(f"msg {message.partition()} {message.offset()} {now}\n")
        sys.stdout.flush()
        if stdin.select(timeout=0) and not sys.stdin.read():
            break
    try:
        consumer.close()
    except KafkaException as e:
        emit("error " + str(e))
    emit("stopped")


if __name__ == "__main__":
    main()
