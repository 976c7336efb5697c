# kafka-python's side of the consumer protocol checks: its encodings, its reading of ours, its assignors.
"""Usage: consumer_protocol_peer.py CASES  (with the python3 that has Debian's python3-kafka)

CASES holds one JSON object a line; for each, one line is printed:

  {"kind": "subscription", "version", "topics", "user_data" (hex or null), "owned" ([[topic,
   [partitions]]]), "generation", "rack", "ours" (hex)}
  {"kind": "assignment", "version", "assigned", "user_data", "ours"}
      -> "<kafka-python's encoding in hex> <verdict>", the verdict "ok" when kafka-python reads
         `ours` back as the same fields, else "mismatch:" and what it read.
  {"kind": "assign", "assignor" ("range" or "roundrobin"), "members" ({id: [topics]}),
   "partitions" ({topic: count})}
      -> kafka-python's assignment as "member=topic-partition,...;..." with members, topics and
         partitions sorted.

kafka-python 2.0.2 has the v0 ConsumerProtocolMemberMetadata only; v1-3 subscriptions are
built from its types after ConsumerProtocolSubscription.json. Assignments have one layout for
every version, so its ConsumerProtocolMemberAssignment writes them all.
"""

import io
import json
import sys

from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.coordinator.protocol import (ConsumerProtocolMemberAssignment,
                                        ConsumerProtocolMemberMetadata)
from kafka.protocol.types import Array, Bytes, Int16, Int32, Schema, String

TOPIC_PARTITIONS = Array(("topic", String("utf-8")), ("partitions", Array(Int32)))

SUBSCRIPTION_FIELDS = [
    ("version", Int16),
    ("topics", Array(String("utf-8"))),
    ("user_data", Bytes),
    ("owned_partitions", TOPIC_PARTITIONS),  # v1+
    ("generation_id", Int32),                # v2+
    ("rack_id", String("utf-8")),            # v3+
]


def subscription_schema(version):
    return Schema(*SUBSCRIPTION_FIELDS[:3 + min(version, 3)])


def unhex(value):
    return None if value is None else bytes.fromhex(value)


def subscription_values(case):
    values = [case["version"], case["topics"], unhex(case["user_data"]),
              [(t, ps) for t, ps in case["owned"]], case["generation"], case["rack"]]
    return values[:3 + min(case["version"], 3)]


def normal(value):
    """Tuples and lists alike, for comparing what was read with what was meant."""
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    return value


def subscription(case):
    version = case["version"]
    if version == 0:
        theirs = ConsumerProtocolMemberMetadata(0, case["topics"], unhex(case["user_data"]))
        encoded = theirs.encode()
    else:
        encoded = subscription_schema(version).encode(subscription_values(case))
    ours = bytes.fromhex(case["ours"])
    read = subscription_schema(version).decode(io.BytesIO(ours))
    # kafka-python's own member class reads only v0's fields, whatever the version says.
    plain = ConsumerProtocolMemberMetadata.decode(ours)
    if normal(read) != normal(subscription_values(case)):
        return encoded, "mismatch:%r" % (read,)
    if plain.subscription != case["topics"]:
        return encoded, "mismatch:ConsumerProtocolMemberMetadata read %r" % (plain.subscription,)
    return encoded, "ok"


def assignment(case):
    assigned = [(t, ps) for t, ps in case["assigned"]]
    theirs = ConsumerProtocolMemberAssignment(case["version"], assigned, unhex(case["user_data"]))
    encoded = theirs.encode()
    read = ConsumerProtocolMemberAssignment.decode(bytes.fromhex(case["ours"]))
    meant = [case["version"], assigned, unhex(case["user_data"])]
    if normal([read.version, read.assignment, read.user_data]) != normal(meant):
        return encoded, "mismatch:%r" % (read,)
    return encoded, "ok"


class Cluster:
    def __init__(self, counts):
        self.counts = counts

    def partitions_for_topic(self, topic):
        if topic not in self.counts:
            return None
        return set(range(self.counts[topic]))


def assign(case):
    assignor = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}[case["assignor"]]
    metadata = {m: ConsumerProtocolMemberMetadata(0, topics, b"") for m, topics in case["members"].items()}
    result = assignor.assign(Cluster(case["partitions"]), metadata)
    shares = []
    for member in sorted(result):
        pairs = sorted((t, p) for t, ps in result[member].assignment for p in ps)
        shares.append(member + "=" + ",".join("%s-%d" % tp for tp in pairs))
    return ";".join(shares)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1]) as cases:
        for line in cases:
            case = json.loads(line)
            if case["kind"] == "assign":
                print(assign(case))
                continue
            encoded, verdict = (subscription if case["kind"] == "subscription" else assignment)(case)
            print(encoded.hex(), verdict)


if __name__ == "__main__":
    main(sys.argv)
