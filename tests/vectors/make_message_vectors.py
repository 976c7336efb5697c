# Writes Kafka request/response encodings made by kafka-python, with their field values, for our codecs.
"""Usage: make_message_vectors.py OUTDIR  (with the python3 that has Debian's python3-kafka)

For every version kafka-python has of ApiVersions, Metadata, Produce, Fetch, ListOffsets,
OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, SyncGroup, Heartbeat and LeaveGroup,
writes into OUTDIR/messages/:

  <api>_v<N>_request.bin   size prefix + request header v1 + body, encoded by kafka-python
  <api>_v<N>_response.bin  response body, encoded by kafka-python
  <api>_v<N>_<kind>.txt    the field values, one "path=value" line each, named as in our structs

Values are generated from each schema (distinct numbers, strings, some nulls, arrays of 0-2
elements), so every field of every version is exercised. Value forms: integers in decimal,
true/false, "text", hex:<bytes>, null; arrays give "path.count=N" and elements "path[i]".
Lines starting with '#' are comments. The output is the same on every run.

Where kafka-python 2.0.2's schema disagrees with Kafka's JSON schemas, the schema is rebuilt
from kafka-python's own types and the .txt says so (see CORRECTIONS).
"""

import os
import struct
import sys

from kafka.protocol.admin import ApiVersionRequest, ApiVersionResponse
from kafka.protocol.api import Request, RequestHeader, Response
from kafka.protocol.commit import (GroupCoordinatorRequest, GroupCoordinatorResponse,
                                   OffsetCommitRequest, OffsetCommitResponse,
                                   OffsetFetchRequest, OffsetFetchResponse)
from kafka.protocol.fetch import FetchRequest, FetchResponse
from kafka.protocol.group import (HeartbeatRequest, HeartbeatResponse, JoinGroupRequest,
                                  JoinGroupResponse, LeaveGroupRequest, LeaveGroupResponse,
                                  SyncGroupRequest, SyncGroupResponse)
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.offset import OffsetRequest, OffsetResponse
from kafka.protocol.produce import ProduceRequest, ProduceResponse
from kafka.protocol.types import (Array, Boolean, Bytes, Int8, Int16, Int32, Int64, Schema,
                                  String)

CLIENT_ID = "kspout-vectors"


def corrected(base, schema, note):
    """A copy of a kafka-python message class with a fixed schema."""
    cls = type(base.__name__ + "_corrected", (base,), {"SCHEMA": schema})
    cls.CORRECTION = note
    return cls


def produce_response_v8():
    # kafka-python's v8 tuple nesting drops record_errors and error_message (ProduceResponse.json).
    return corrected(ProduceResponse[8], Schema(
        ("topics", Array(
            ("topic", String("utf-8")),
            ("partitions", Array(
                ("partition", Int32),
                ("error_code", Int16),
                ("offset", Int64),
                ("timestamp", Int64),
                ("log_start_offset", Int64),
                ("record_errors", Array(
                    ("batch_index", Int32),
                    ("batch_index_error_message", String("utf-8")))),
                ("error_message", String("utf-8")))))),
        ("throttle_time_ms", Int32)),
        "kafka-python drops record_errors and error_message; rebuilt from ProduceResponse.json")


def list_offsets_request(version):
    # kafka-python declares current_leader_epoch as Int64; ListOffsetsRequest.json says int32.
    return corrected(OffsetRequest[version], Schema(
        ("replica_id", Int32),
        ("isolation_level", Int8),
        ("topics", Array(
            ("topic", String("utf-8")),
            ("partitions", Array(
                ("partition", Int32),
                ("current_leader_epoch", Int32),
                ("timestamp", Int64)))))),
        "kafka-python writes current_leader_epoch as Int64; ListOffsetsRequest.json has int32")


def find_coordinator_response_v1():
    # kafka-python leaves out the leading throttle_time_ms (FindCoordinatorResponse.json, v1+).
    return corrected(GroupCoordinatorResponse[1], Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", String("utf-8")),
        ("coordinator_id", Int32),
        ("host", String("utf-8")),
        ("port", Int32)),
        "kafka-python leaves out throttle_time_ms; rebuilt from FindCoordinatorResponse.json")


def fetch_request(version):
    # kafka-python declares the forgotten topic name as the String class, which cannot encode.
    cls = FetchRequest[version]
    if version < 7:
        return cls
    names = list(cls.SCHEMA.names)
    fields = list(cls.SCHEMA.fields)
    at = names.index("forgotten_topics_data")
    fields[at] = Array(("topic", String("utf-8")), ("partitions", Array(Int32)))
    return corrected(cls, Schema(*zip(names, fields)),
                     "kafka-python's forgotten topic name type cannot encode; same layout, fixed type")


CORRECTIONS = {
    ("produce", 8, "response"): produce_response_v8,
    ("list_offsets", 4, "request"): lambda: list_offsets_request(4),
    ("list_offsets", 5, "request"): lambda: list_offsets_request(5),
    ("find_coordinator", 1, "response"): find_coordinator_response_v1,
}
for v in range(7, 12):
    CORRECTIONS[("fetch", v, "request")] = (lambda v=v: fetch_request(v))


# Per API: kafka-python classes, renames from kafka-python's field paths to our struct member
# names ("request_rename" / "response_rename" for one direction only), and the fields (our
# paths) that are nullable strings.
APIS = [
    {
        "name": "api_versions", "requests": ApiVersionRequest, "responses": ApiVersionResponse,
        "rename": {"api_versions": "api_keys"},
        "nullable": set(),
    },
    {
        "name": "metadata", "requests": MetadataRequest, "responses": MetadataResponse,
        "rename": {"topics.topic": "name", "topics.partitions.partition": "partition_index",
                   "topics.partitions.leader": "leader_id",
                   "topics.partitions.replicas": "replica_nodes",
                   "topics.partitions.isr": "isr_nodes"},
        "nullable": {"brokers.rack", "cluster_id"},
    },
    {
        "name": "produce", "requests": ProduceRequest, "responses": ProduceResponse,
        "rename": {"required_acks": "acks", "timeout": "timeout_ms", "topics.topic": "name",
                   "topics.partitions.partition": "partition_index",
                   "topics.partitions.messages": "records",
                   "topics.partitions.offset": "base_offset",
                   "topics.partitions.timestamp": "log_append_time_ms",
                   "topics.partitions.record_errors.batch_index_error_message": "message"},
        "nullable": {"transactional_id", "topics.partitions.record_errors.message",
                     "topics.partitions.error_message"},
    },
    {
        "name": "fetch", "requests": FetchRequest, "responses": FetchResponse,
        "rename": {"max_wait_time": "max_wait_ms", "isolation_level": "isolation",
                   "topics.topic": "name", "topics.topics": "name",
                   "topics.partitions.partition": "partition_index",
                   "topics.partitions.offset": "fetch_offset",
                   "forgotten_topics_data": "forgotten", "forgotten_topics_data.topic": "name",
                   "topics.partitions.highwater_offset": "high_watermark",
                   "topics.partitions.message_set": "records"},
        "nullable": set(),
    },
    {
        "name": "list_offsets", "requests": OffsetRequest, "responses": OffsetResponse,
        "rename": {"isolation_level": "isolation", "topics.topic": "name",
                   "topics.partitions.partition": "partition_index",
                   "topics.partitions.max_offsets": "max_num_offsets",
                   "topics.partitions.offsets": "old_style_offsets"},
        "nullable": set(),
    },
    {
        "name": "offset_commit", "requests": OffsetCommitRequest, "responses": OffsetCommitResponse,
        "rename": {"consumer_group": "group_id", "consumer_group_generation_id": "generation_id",
                   "consumer_id": "member_id", "retention_time": "retention_time_ms",
                   "topics.topic": "name", "topics.partitions.partition": "partition_index",
                   "topics.partitions.offset": "committed_offset",
                   "topics.partitions.timestamp": "commit_timestamp",
                   "topics.partitions.metadata": "committed_metadata"},
        "nullable": {"topics.partitions.committed_metadata"},
    },
    {
        "name": "offset_fetch", "requests": OffsetFetchRequest, "responses": OffsetFetchResponse,
        "rename": {"consumer_group": "group_id", "topics.topic": "name",
                   "topics.partitions.partition": "partition_index",
                   "topics.partitions.offset": "committed_offset"},
        "request_rename": {"topics.partitions": "partition_indexes"},
        "nullable": {"topics.partitions.metadata"},
    },
    {
        "name": "find_coordinator", "requests": GroupCoordinatorRequest,
        "responses": GroupCoordinatorResponse,
        "rename": {"consumer_group": "key", "coordinator_key": "key",
                   "coordinator_type": "key_type", "coordinator_id": "node_id"},
        "nullable": {"error_message"},
    },
    {
        "name": "join_group", "requests": JoinGroupRequest, "responses": JoinGroupResponse,
        "rename": {"group": "group_id", "session_timeout": "session_timeout_ms",
                   "rebalance_timeout": "rebalance_timeout_ms", "group_protocols": "protocols",
                   "group_protocols.protocol_name": "name",
                   "group_protocols.protocol_metadata": "metadata",
                   "group_protocol": "protocol_name", "leader_id": "leader",
                   "members.member_metadata": "metadata"},
        "nullable": set(),
    },
    {
        "name": "sync_group", "requests": SyncGroupRequest, "responses": SyncGroupResponse,
        "rename": {"group": "group_id", "group_assignment": "assignments",
                   "group_assignment.member_metadata": "assignment",
                   "member_assignment": "assignment"},
        "nullable": set(),
    },
    {
        "name": "heartbeat", "requests": HeartbeatRequest, "responses": HeartbeatResponse,
        "rename": {"group": "group_id"},
        "nullable": set(),
    },
    {
        "name": "leave_group", "requests": LeaveGroupRequest, "responses": LeaveGroupResponse,
        "rename": {"group": "group_id"},
        "nullable": set(),
    },
]


class ValueMaker:
    """Deterministic, mostly distinct values for every field of a schema."""

    def __init__(self, api):
        self.api = api
        self.n = 0
        self.null_turn = {}

    def next(self):
        self.n += 1
        return self.n

    def make(self, typ, kpath, opath, depth):
        if isinstance(typ, Schema):
            return tuple(self.make(f, kpath + [name], opath + [self.our_name(kpath + [name])], depth)
                         for name, f in zip(typ.names, typ.fields))
        if isinstance(typ, Array):
            count = 2 if depth == 0 else self.next() % 3
            return [self.make(typ.array_of, kpath, opath, depth + 1) for _ in range(count)]
        n = self.next()
        if typ is Int8:
            return n % 2 if n % 5 else -(n % 100)
        if typ is Int16:
            return 300 + n if n % 4 else -(300 + n)
        if typ is Int32:
            return 70000 + n if n % 4 != 3 else -(70000 + n)
        if typ is Int64:
            return 5000000000 + n if n % 4 != 1 else -(5000000000 + n)
        if typ is Boolean:
            return n % 2 == 1
        if typ is Bytes:
            return b"rec%d" % n
        if isinstance(typ, String):
            key = ".".join(opath)
            if key in self.api["nullable"]:
                turn = self.null_turn.get(key, 0)
                self.null_turn[key] = turn + 1
                if turn % 2 == 1:
                    return None
            return "s%d" % n
        raise TypeError("no value rule for %r" % (typ,))

    def our_name(self, kpath):
        return self.api["rename"].get(".".join(kpath), kpath[-1])


def flatten(typ, value, kpath, prefix, api, out):
    """Appends "path=value" lines for value (of schema type typ) under our names."""
    if isinstance(typ, Schema):
        for name, f, v in zip(typ.names, typ.fields, value):
            ours = api["rename"].get(".".join(kpath + [name]), name)
            flatten(f, v, kpath + [name], prefix + [ours], api, out)
        return
    path = ".".join(prefix)
    if value is None:
        out.append("%s=null" % path)
    elif isinstance(typ, Array):
        out.append("%s.count=%d" % (path, len(value)))
        for i, item in enumerate(value):
            flatten(typ.array_of, item, kpath, prefix[:-1] + ["%s[%d]" % (prefix[-1], i)], api, out)
    elif typ is Boolean:
        out.append("%s=%s" % (path, "true" if value else "false"))
    elif typ is Bytes:
        out.append("%s=hex:%s" % (path, value.hex()))
    elif isinstance(typ, String):
        out.append('%s="%s"' % (path, value))
    else:
        out.append("%s=%d" % (path, value))


def message_class(api, version, kind):
    fix = CORRECTIONS.get((api["name"], version, kind))
    if fix:
        return fix()
    return (api["requests"] if kind == "request" else api["responses"])[version]


def for_direction(api, kind):
    """The API description with the renames of one direction merged in."""
    view = dict(api)
    view["rename"] = dict(api["rename"], **api.get(kind + "_rename", {}))
    return view


def write_vector(outdir, api, version, kind):
    api = for_direction(api, kind)
    cls = message_class(api, version, kind)
    values = ValueMaker(api).make(cls.SCHEMA, [], [], 0)
    message = cls(*values)      # kept in a variable: encode() on a temporary fails
    body = message.encode()
    again = cls.decode(body)    # kafka-python must read back what it wrote
    if again.encode() != body:
        raise RuntimeError("%s v%d %s does not round-trip in kafka-python" % (api["name"], version, kind))

    lines = []
    if getattr(cls, "CORRECTION", None):
        lines.append("# corrected schema: " + cls.CORRECTION)
    if kind == "request":
        correlation_id = 1000 + 100 * cls.API_KEY + version
        header = RequestHeader(message, correlation_id=correlation_id, client_id=CLIENT_ID)
        frame = header.encode() + body
        data = struct.pack(">i", len(frame)) + frame
        lines += ["header.api_key=%d" % cls.API_KEY, "header.api_version=%d" % version,
                  "header.correlation_id=%d" % correlation_id, 'header.client_id="%s"' % CLIENT_ID]
    else:
        data = body
    flatten(cls.SCHEMA, values, [], [], api, lines)

    stem = os.path.join(outdir, "%s_v%d_%s" % (api["name"], version, kind))
    with open(stem + ".bin", "wb") as f:
        f.write(data)
    with open(stem + ".txt", "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    outdir = os.path.join(argv[1], "messages")
    os.makedirs(outdir, exist_ok=True)
    written = 0
    for api in APIS:
        versions = len(api["requests"])
        if len(api["responses"]) != versions:
            raise RuntimeError("%s: request and response version counts differ" % api["name"])
        for version in range(versions):
            for kind in ("request", "response"):
                write_vector(outdir, api, version, kind)
                written += 1
    print("wrote %d message vectors to %s" % (written, outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
