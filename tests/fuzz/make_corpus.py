#!/usr/bin/python3
# Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from real traffic and files.
"""Usage: make_corpus.py [--mock-bin PATH] [OUTDIR]   (Debian's python3 with python3-kafka)

OUTDIR defaults to tests/fuzz/corpus. Sources:
  fuzz_messages, fuzz_frame  Kafka responses encoded by kafka-python (tests/vectors/make_message_vectors.py);
                             with --mock-bin (a built kspout-mock-cluster), responses captured from
                             librdkafka's mock cluster (ApiVersions, Produce, Fetch with records, and
                             the versions kafka-python lacks); Metadata v6-8 written here by hand
  fuzz_records               record blobs written by kafka-python (tests/vectors/make_record_vectors.py)
  fuzz_framing, fuzz_storm_messages, fuzz_settings
                             a Storm handshake in the shape and escaping of Storm's json-smart writer
                             (shared reference, storm-multilang.md), Storm's commands and a component's replies
  fuzz_flux                  topology-examples/*.yaml, and the same as Flux JSON
  fuzz_group                 pykafka's znode names and payloads
Each file is small; the output is the same on every run (apart from mock captures).
"""

import glob
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The selector byte of fuzz_messages, and the versions our decoders take (protocol/messages/*.hpp).
APIS = {  # name: (selector, api key, highest version)
    "api_versions": (0, 18, 2),
    "metadata": (1, 3, 8),
    "produce": (2, 0, 8),
    "fetch": (3, 1, 11),
    "list_offsets": (4, 2, 5),
    "offset_commit": (5, 8, 7),
    "offset_fetch": (6, 9, 5),
    "find_coordinator": (7, 10, 2),
}


def write(out, target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def run_vectors(script, tmp):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/vectors", script), tmp], check=True,
                   stdout=subprocess.DEVNULL)


def kafka_python_responses(out, tmp):
    run_vectors("make_message_vectors.py", tmp)
    bodies = {}
    for path in sorted(glob.glob(os.path.join(tmp, "messages", "*_response.bin"))):
        base = os.path.basename(path)[: -len("_response.bin")]
        api, version = base.rsplit("_v", 1)
        selector, _, highest = APIS[api]
        version = int(version)
        if version > highest:
            continue
        body = open(path, "rb").read()
        bodies[(api, version)] = body
        write(out, "fuzz_messages", "%s_v%d" % (api, version), bytes([selector, version]) + body)
    return bodies


def frames(out, bodies):
    # size + correlation id + body, as a broker writes them; the last one holds two frames.
    picked = [bodies[k] for k in sorted(bodies) if k[1] == max(v for a, v in bodies if a == k[0])]
    both = b""
    for i, body in enumerate(picked):
        frame = struct.pack(">ii", len(body) + 4, i + 1) + body
        write(out, "fuzz_frame", "response_%d" % i, frame)
        if i < 2:
            both += frame
    write(out, "fuzz_frame", "two_responses", both)


def records(out, tmp):
    run_vectors("make_record_vectors.py", tmp)
    for name in ["v0_plain", "v0_gzip", "v1_snappy", "v1_lz4", "v2_plain", "v2_gzip", "v2_snappy_raw",
                 "v2_lz4", "v2_zstd", "v2_control", "mixed_fetch_truncated"]:
        shutil.copy(os.path.join(tmp, "records", name + ".bin"), os.path.join(out, "fuzz_records", name))


# ---- librdkafka's mock cluster: raw requests, response bodies saved ----

def mock_responses(out, mock_bin, have):
    """ApiVersions, Produce and Fetch with records, and the versions kafka-python did not write."""
    from kafka.record.default_records import DefaultRecordBatchBuilder
    proc = subprocess.Popen([mock_bin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        bootstrap = proc.stdout.readline().split()[1].split(",")[0]
        proc.stdin.write("topic fuzz 1\n")
        proc.stdin.flush()
        if proc.stdout.readline().strip() != "ok":
            raise RuntimeError("the mock cluster did not create the topic")
        host, port = bootstrap.rsplit(":", 1)
        conn = socket.create_connection((host, int(port)), timeout=10)
        correlation = [0]

        def recv(n):
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    raise RuntimeError("the mock cluster closed the connection")
                data += chunk
            return data

        def call(key, version, body):
            correlation[0] += 1
            client = b"kspout-fuzz"
            header = struct.pack(">hhih", key, version, correlation[0], len(client)) + client
            conn.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
            size = struct.unpack(">i", recv(4))[0]
            return recv(size)[4:]  # after the correlation id

        def save(api, version, body):
            write(out, "fuzz_messages", "mock_%s_v%d" % (api, version), bytes([APIS[api][0], version]) + body)

        def string(text):
            b = text.encode()
            return struct.pack(">h", len(b)) + b

        save("api_versions", 0, call(18, 0, b""))
        builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0, producer_id=-1,
                                            producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
        for i in range(3):
            builder.append(i, timestamp=1700000000000 + i, key=b"k%d" % i, value=b"value %d" % i,
                           headers=[("h", b"x")] if i == 1 else [])
        batch = bytes(builder.build())
        produce = (struct.pack(">h", -1) + struct.pack(">hi", -1, 5000) + struct.pack(">i", 1) + string("fuzz") +
                   struct.pack(">ii", 1, 0) + struct.pack(">i", len(batch)) + batch)
        save("produce", 7, call(0, 7, produce))
        # Fetch v11: replica, max wait, min bytes, max bytes, isolation, session id and epoch,
        # topics [name, partitions [index, leader epoch, offset, log start, max bytes]], forgotten, rack.
        fetch = (struct.pack(">iiiibii", -1, 100, 1, 1 << 20, 0, 0, -1) + struct.pack(">i", 1) + string("fuzz") +
                 struct.pack(">i", 1) + struct.pack(">iiqqi", 0, -1, 0, -1, 1 << 20) + struct.pack(">i", 0) +
                 string(""))
        save("fetch", 11, call(1, 11, fetch))
        group = string("fuzz-group")
        requests = {
            # group, generation, member, (v7) instance id, (v2-4) retention, topics [name, partitions
            # [index, offset, (v6) leader epoch, metadata]]
            "offset_commit": lambda v: group + struct.pack(">i", -1) + string("") +
            (struct.pack(">h", -1) if v >= 7 else b"") + (struct.pack(">q", -1) if 2 <= v <= 4 else b"") + struct.pack(">i", 1) + string("fuzz") +
            struct.pack(">i", 1) + struct.pack(">iq", 0, 2) + (struct.pack(">i", -1) if v >= 6 else b"") +
            string("meta"),
            # group, topics [name, partitions]
            "offset_fetch": lambda v: group + struct.pack(">i", 1) + string("fuzz") + struct.pack(">ii", 1, 0),
            # key, key type
            "find_coordinator": lambda v: group + b"\x00",
        }
        for api, encode in requests.items():
            selector, key, highest = APIS[api]
            for version in range(1, highest + 1):
                if (api, version) not in have:
                    save(api, version, call(key, version, encode(version)))
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def metadata_by_hand(out, have):
    """Metadata v6-8 (kafka-python stops at v5; the mock at v2): written from MetadataResponse.json."""
    def string(text):
        return struct.pack(">h", -1) if text is None else struct.pack(">h", len(text)) + text.encode()

    def int32s(values):
        return struct.pack(">i", len(values)) + b"".join(struct.pack(">i", v) for v in values)

    for v in range(6, APIS["metadata"][2] + 1):
        if ("metadata", v) in have:
            continue
        body = struct.pack(">i", 0)  # throttle
        body += struct.pack(">i", 2) + struct.pack(">i", 1) + string("broker-1") + struct.pack(">i", 9092) + \
            string(None) + struct.pack(">i", 2) + string("broker-2") + struct.pack(">i", 9093) + string("rack-b")
        body += string("cluster-x") + struct.pack(">i", 1)
        partitions = b""
        for index, leader in [(0, 1), (1, 2)]:
            partitions += struct.pack(">hii", 0, index, leader) + (struct.pack(">i", 4) if v >= 7 else b"")
            partitions += int32s([1, 2]) + int32s([leader]) + int32s([])
        body += struct.pack(">i", 1) + struct.pack(">h", 0) + string("events") + b"\x00" + struct.pack(">i", 2) + \
            partitions + (struct.pack(">i", -2147483648) if v >= 8 else b"")
        if v >= 8:
            body += struct.pack(">i", -2147483648)
        write(out, "fuzz_messages", "metadata_v%d" % v, bytes([APIS["metadata"][0], v]) + body)


# ---- multilang ----

# Storm's handshake as ShellSpout writes it: json-smart, "/" escaped, HashMap key order.
HANDSHAKE = (
    '{"conf":{"topology.message.timeout.secs":30,"kafka.topic":"events","topology.tick.tuple.freq.secs":30,'
    '"kafka.bootstrap.servers":"127.0.0.1:9092","topology.max.spout.pending":null,'
    '"kafka.zookeeper.connect":"127.0.0.1:2181\\/kafka","kafka.group.id":"storm-events",'
    '"topology.name":"kafka-demo","supervisor.worker.timeout.secs":30,"storm.zookeeper.port":2000,'
    '"topology.workers":1},'
    '"pidDir":"\\/var\\/storm\\/workers\\/4b1e\\/pids",'
    '"context":{"task->component":{"1":"__acker","2":"kafka-spout","3":"kafka-spout","4":"count-bolt"},'
    '"taskid":3,"componentid":"kafka-spout","streams":["default"],'
    '"stream->outputfields":{"default":["topic","partition","offset","key","value"]},'
    '"stream->target->grouping":{"default":{"count-bolt":{"type":"FIELDS","fields":["key"]}}},'
    '"source->stream->grouping":{},"source->stream->fields":{}}}'
)
OLD_HANDSHAKE = '{"pidDir":"\\/tmp\\/pids","conf":{},"context":{"taskid":2,"task->component":{"1":"s","2":"s"}}}'

STORM_COMMANDS = [
    '{"command":"next","id":""}',
    '{"command":"ack","id":"events:2:1041"}',
    '{"command":"fail","id":"events:0:0"}',
    '{"command":"activate","id":""}',
    '{"command":"deactivate","id":""}',
    '[3, 7]',
    '{"id":"-6955786537413359385","comp":"kafka-spout","stream":"default","task":2,'
    '"tuple":["events",2,1041,null,"hello"]}',
    '{"id":"-1","comp":null,"stream":"__heartbeat","task":-1,"tuple":[]}',
    '{"id":"7","comp":"__system","stream":"__tick","task":-1,"tuple":[30]}',
    '{"command":"ack","id":7}',
]

COMPONENT_MESSAGES = [
    '{"pid":4242}',
    '{"command":"sync"}',
    '{"command":"emit","id":"events:2:1041","stream":"default","tuple":["events",2,1041,null,"h\\u00e9"],'
    '"need_task_ids":false}',
    '{"command":"emit","anchors":["17","18"],"tuple":[1,2.5,true],"task":3}',
    '{"command":"log","msg":"kafka-spout: assigned partitions 0,2","level":2}',
    '{"command":"error","msg":"cannot reach broker 127.0.0.1:9092"}',
    '{"command":"metrics","name":"kafka-spout.lag","params":{"events:0":12}}',
    '{"command":"ack","id":"17"}',
    '{"command":"fail","id":"18"}',
]


def multilang(out):
    for i, text in enumerate([HANDSHAKE, OLD_HANDSHAKE]):
        write(out, "fuzz_storm_messages", "handshake_%d" % i, b"\x01" + text.encode())
    for i, text in enumerate(STORM_COMMANDS):
        write(out, "fuzz_storm_messages", "storm_%d" % i, b"\x00" + text.encode())
    for i, text in enumerate(COMPONENT_MESSAGES):
        write(out, "fuzz_storm_messages", "component_%d" % i, b"\x02" + text.encode())

    session = HANDSHAKE + "\nend\n" + "".join(c + "\nend\n" for c in STORM_COMMANDS[:5])
    write(out, "fuzz_framing", "storm_session", bytes([7, 255]) + session.encode())
    write(out, "fuzz_framing", "crlf_and_stray_end", bytes([0, 16]) +
          b'{"command":"next","id":""}\r\nend\r\nend\n\n{"command":\n"sync"}\rend\r')
    pretty = '{\n  "command": "emit",\n  "tuple": ["a"]\n}\nend\n{"command":"sync"}\nend\n'
    write(out, "fuzz_framing", "component_multiline", bytes([3, 4]) + pretty.encode())
    write(out, "fuzz_framing", "too_long", bytes([63, 0]) + b'{"command":"next","id":""}\nend\n' * 3)


def settings(out):
    def seed(name, handshake, config, args):
        write(out, "fuzz_settings", name, "\n---\n".join([handshake, config, "\n".join(args)]))

    seed("storm_conf_only", HANDSHAKE, "", [])
    seed("all_three", HANDSHAKE,
         json.dumps({"kafka.spout.fields": ["topic", "partition", "offset", "value"],
                     "kafka.spout.metrics": {"lag": "kafka.lag", "acked": ""},
                     "kafka.spout.retry.max.retries": 3, "kafka.isolation.level": "read_uncommitted",
                     "kafka.queued.max.bytes": "1048576"}),
         ["--kafka.spout.assignment=static", "--set", "kafka.spout.batch.size=50",
          "--config=/etc/kafka-spout.json"])
    seed("bad_values", '{"pidDir":"\\/p","conf":{"kafka.fetch.min.bytes":-1,"kafka.topic":"a b",'
         '"topology.subprocess.timeout.secs":0.01,"kafka.bootstrap.servers":["[::1]:9092","h:0"]}}',
         '{"kafka.unknown": true, "kafka.spout.metrics": "lag=x,lag"}',
         ["--set=kafka.spout.next.wait.ms=99999", "--kafka.spout.dead.letter.stream=default", "--bogus"])
    seed("command_line_only", "", "",
         ["--kafka.topic=t", "--kafka.bootstrap.servers=h:1,h:2", "--kafka.group.id=g",
          "--kafka.zookeeper.connect=z:2181,z2:2181/chroot", "--kafka.spout.revoke.drain.ms=6000"])


def flux(out):
    import yaml
    for path in sorted(glob.glob(os.path.join(ROOT, "topology-examples", "*.yaml"))):
        name = os.path.basename(path)[: -len(".yaml")]
        text = open(path, "rb").read()
        write(out, "fuzz_flux", name + "_yaml", b"\x00" + text)
        doc = yaml.safe_load(text)
        write(out, "fuzz_flux", name + "_json", b"\x01" + json.dumps(doc, separators=(",", ":")).encode())
    write(out, "fuzz_flux", "scalars_yaml", b"\x00" + (
        '---\nname: "s"\nconfig: {a: [1, -2.5e3, ~, true, \'it\'\'s\', "\\u00e9\\t"], b: .5}\n'
        'spouts:\n  - id: s\n    className: org.apache.storm.flux.wrappers.spouts.FluxShellSpout\n'
        '    constructorArgs: [[sh, -c, "x"], [a]]\n    configMethods:\n      - name: setEnv\n'
        '        args: [{K: v}]\n').encode())


def group(out):
    write(out, "fuzz_group", "owners", b"\x00\x02" + b"1-0\n2-1\n-1-2\n1-2\n0x-3\n3-\n")
    write(out, "fuzz_group", "members", b"\x01\x0a" + b"events\n"
          b"worker-1:6f1c2a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6\tevents\n"
          b"worker-2:0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d\tevents\n"
          b"worker-3:11111111-2222-4333-8444-555555555555\tother\n"
          b"worker-4:scala\t{\"version\":1,\"subscription\":{\"events\":1}}\n")
    write(out, "fuzz_group", "claims", b"\x02\x00" + b"1-3\t4294967300\n2-3\t4294967299\n")
    # A zxid field long enough to wrap the harness's hash (it overflowed a signed integer once).
    write(out, "fuzz_group", "claims-long-zxid", b"\x02\x00" + b"a\t" + b"z" * 24 + b"\n")


def main():
    args = sys.argv[1:]
    mock_bin = None
    if args[:1] == ["--mock-bin"]:
        mock_bin = args[1]
        args = args[2:]
    out = args[0] if args else os.path.join(HERE, "corpus")
    for d in glob.glob(os.path.join(out, "fuzz_*")):
        shutil.rmtree(d)
    os.makedirs(os.path.join(out, "fuzz_records"), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bodies = kafka_python_responses(out, tmp)
        frames(out, bodies)
        records(out, tmp)
    if mock_bin:
        mock_responses(out, mock_bin, bodies)
    metadata_by_hand(out, bodies)
    multilang(out)
    settings(out)
    flux(out)
    group(out)


if __name__ == "__main__":
    main()
