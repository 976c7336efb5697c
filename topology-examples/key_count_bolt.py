# A multilang bolt in plain Python (no libraries), as storm.py writes one: counts tuples per
# Kafka key and emits [key, count] anchored to each input, then acks it. Fields grouping on
# "key" sends every key to one task, so each task's counts are complete for its keys.
# With key_count.fail.every: N in the topology config, it fails every Nth tuple a task receives
# instead (no emit), so that the spout replays it; with key_count.hold.every: N, it leaves every
# Nth tuple unanswered, once per (partition, offset), so that it times out and is replayed.
import json
import os
import sys


def read_message():
    lines = []
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)  # Storm (or the local runner) went away
        if line.rstrip("\r\n") == "end":
            return json.loads("\n".join(lines))
        lines.append(line.rstrip("\r\n"))


def send(message):
    sys.stdout.write(json.dumps(message) + "\nend\n")
    sys.stdout.flush()


def main():
    setup = read_message()
    open(os.path.join(setup["pidDir"], str(os.getpid())), "w").close()
    send({"pid": os.getpid()})
    fields = setup["context"]["source->stream->fields"]["kafka"]["default"]
    key_field = fields.index("key")
    fail_every = int(setup["conf"].get("key_count.fail.every", 0))
    hold_every = int(setup["conf"].get("key_count.hold.every", 0))
    held = set()
    received = 0
    counts = {}
    while True:
        message = read_message()
        if isinstance(message, list):
            continue  # task ids: this bolt emits with need_task_ids false and never waits for them
        if message.get("stream") == "__heartbeat":
            send({"command": "sync"})
            continue
        received += 1
        if fail_every > 0 and received % fail_every == 0:
            send({"command": "fail", "id": message["id"]})
            continue
        record = tuple(message["tuple"][fields.index(f)] for f in ("partition", "offset") if f in fields)
        if hold_every > 0 and received % hold_every == 0 and record not in held:
            held.add(record)
            continue
        key = message["tuple"][key_field]
        counts[key] = counts.get(key, 0) + 1
        send({"command": "emit", "anchors": [message["id"]], "tuple": [key, counts[key]],
              "need_task_ids": False})
        send({"command": "ack", "id": message["id"]})


if __name__ == "__main__":
    main()
