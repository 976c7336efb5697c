# A bolt written the way storm.py writes one, for the local runner's tests: it blocks for the
# task ids after each emit (need_task_ids left at its default), answers heartbeats with sync,
# turns field 0 into a string, emits it anchored and acks. It exits 0 when stdin closes.
import json
import os
import sys


def read_message():
    lines = []
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        if line.rstrip("\r\n") == "end":
            return json.loads("\n".join(lines))
        lines.append(line.rstrip("\r\n"))


def send(message):
    sys.stdout.write(json.dumps(message) + "\nend\n")
    sys.stdout.flush()


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
