# The Python peer for the spout benchmark: kafka-python behind a multilang loop like Storm's storm.py.
#
# It does the same job as kafka-spout in static mode with one task: read every partition of
# kafka.topic from the group's committed offset (or the beginning), emit up to
# kafka.spout.batch.size tuples per `next` with the id "topic:partition:offset", commit per
# partition only the offset below which every emitted tuple was acked (every 5 s, on deactivate
# and at EOF), and re-emit failed tuples. Framing follows storm.py: read lines up to "end",
# json-decode, print the JSON and "end", flush after every message. Run with /usr/bin/python3.
import json
import os
import sys
import time
from collections import deque

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata


def read_message():
    lines = []
    while True:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        if line.rstrip("\r\n") == "end":
            break
        lines.append(line)
    return json.loads("".join(lines))


def send_message(message):
    print(json.dumps(message))
    print("end")
    sys.stdout.flush()


class Partition:
    """Emitted offsets in order and the acked ones, to find the committable offset."""

    def __init__(self):
        self.emitted = deque()
        self.acked = set()
        self.committable = None

    def emit(self, offset):
        self.emitted.append(offset)

    def ack(self, offset):
        self.acked.add(offset)
        while self.emitted and self.emitted[0] in self.acked:
            done = self.emitted.popleft()
            self.acked.discard(done)
            self.committable = done + 1


def send_emit(msg_id, values):
    send_message({"command": "emit", "id": msg_id, "tuple": values, "need_task_ids": False})


class KafkaPythonSpout:
    """The spout's job. emit(msg_id, values) sends a tuple; the task with index `task` of
    `tasks` reads the partitions p with p % tasks == task (static assignment)."""

    def __init__(self, conf, emit=send_emit, task=0, tasks=1):
        self.topic = conf["kafka.topic"]
        self.batch = int(conf.get("kafka.spout.batch.size", 100))
        self.send_emit = emit
        self.consumer = KafkaConsumer(bootstrap_servers=conf["kafka.bootstrap.servers"].split(","),
                                      group_id=conf["kafka.group.id"], enable_auto_commit=False,
                                      auto_offset_reset="earliest", check_crcs=True)
        partitions = [p for p in sorted(self.consumer.partitions_for_topic(self.topic) or []) if p % tasks == task]
        self.consumer.assign([TopicPartition(self.topic, p) for p in partitions])
        self.partitions = {p: Partition() for p in partitions}
        self.in_flight = {}
        self.replays = deque()
        self.committed = {}
        self.last_commit = time.monotonic()

    def next_tuples(self):
        sent = 0
        while self.replays and sent < self.batch:
            self.emit(self.replays.popleft())
            sent += 1
        if sent < self.batch:
            polled = self.consumer.poll(timeout_ms=5, max_records=self.batch - sent)
            for records in polled.values():
                for record in records:
                    self.partitions[record.partition].emit(record.offset)
                    self.emit(record)
        if time.monotonic() - self.last_commit >= 5:
            self.commit()

    def emit(self, record):
        msg_id = "%s:%d:%d" % (record.topic, record.partition, record.offset)
        self.in_flight[msg_id] = record
        key = record.key.decode("utf-8", "replace") if record.key is not None else None
        value = record.value.decode("utf-8", "replace") if record.value is not None else None
        self.send_emit(msg_id, [record.topic, record.partition, record.offset, key, value])

    def ack(self, msg_id):
        record = self.in_flight.pop(msg_id, None)
        if record is not None:
            self.partitions[record.partition].ack(record.offset)

    def fail(self, msg_id):
        record = self.in_flight.get(msg_id)
        if record is not None:
            self.replays.append(record)

    def commit(self):
        offsets = {}
        for partition, state in self.partitions.items():
            if state.committable is not None and self.committed.get(partition) != state.committable:
                offsets[TopicPartition(self.topic, partition)] = OffsetAndMetadata(state.committable, "")
        if offsets:
            self.consumer.commit(offsets)
            self.committed.update({tp.partition: meta.offset for tp, meta in offsets.items()})
        self.last_commit = time.monotonic()


def main():
    setup = read_message()
    pid = os.getpid()
    open(os.path.join(setup["pidDir"], str(pid)), "w").close()
    send_message({"pid": pid})
    spout = KafkaPythonSpout(setup["conf"])
    try:
        while True:
            command = read_message()
            if isinstance(command, list):
                continue  # task ids, not expected with need_task_ids false
            name = command.get("command")
            if name == "next":
                spout.next_tuples()
            elif name == "ack":
                spout.ack(command["id"])
            elif name == "fail":
                spout.fail(command["id"])
            elif name == "deactivate":
                spout.commit()
            send_message({"command": "sync"})
    except EOFError:
        spout.commit()
    spout.consumer.close(autocommit=False)


if __name__ == "__main__":
    main()
