# A bolt written the way storm.py writes one, for the local runner's tests: it blocks for the
# task ids after each emit (need_task_ids left at its default), answers heartbeats with sync,
# turns field 0 into a string, emits it anchored and acks. It exits 0 when stdin closes.
import json
import os
import sys

# The framing is the example bolt's own, so this test also covers that example.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "topology-examples"))
from key_count_bolt import read_message, send  # noqa: E402


def main():
    setup = read_message()
    pid = os.getpid()
    open(os.path.join(setup["pidDir"], str(pid)), "w").close()
    send({"pid": pid})
    pending_commands = []
    while True:
        message = pending_commands.pop(0) if pending_commands else read_message()
        if isinstance(message, list):
            continue  # a task-id array nobody waited for
        if message.get("stream") == "__heartbeat":
            send({"command": "sync"})
            continue
        value = message["tuple"][0]
        send({"command": "emit", "anchors": [message["id"]],
              "tuple": [value if isinstance(value, str) else json.dumps(value)]})
        # storm.py's readTaskIds: queue any command that comes before the array.
        while True:
            reply = read_message()
            if isinstance(reply, list):
                break
            pending_commands.append(reply)
        send({"command": "ack", "id": message["id"]})


if __name__ == "__main__":
    main()
