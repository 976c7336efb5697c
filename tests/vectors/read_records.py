#!/usr/bin/python3
# Decodes a records blob with kafka-python's readers and prints what it holds, one line per item.
"""Usage: read_records.py FILE [FETCH_OFFSET]

Walks FILE like a Fetch payload (kafka.record.MemoryRecords: any mix of magic 0, 1, 2) and
prints, for each complete entry, then each record at or above FETCH_OFFSET:

  entry <magic> <codec> <crc_ok 0|1> <control 0|1>
  record <offset> <timestamp> <timestamp_type> <key> <value> <header count> [<hkey> <hvalue>]...
  end <next_offset> <valid_bytes>

Bytes are "=" followed by hex ("=" alone is empty), or "-" for null; header keys are UTF-8
bytes in the same form. Control batches are skipped (they never reach an application) but move
next_offset, as in the Java consumer; v0 records, which have no timestamp, print -1.
Also imported by make_record_vectors.py, which writes the same facts as JSON.
"""

import sys

from kafka.record.default_records import DefaultRecordBatch
from kafka.record.memory_records import MemoryRecords


def decode(blob, fetch_offset=0):
    """Returns (entries, records, next_offset, valid_bytes), all computed by kafka-python."""
    records = MemoryRecords(bytes(blob))
    entries, out = [], []
    next_offset = fetch_offset
    while True:
        batch = records.next_batch()
        if batch is None:
            break
        crc_ok = bool(batch.validate_crc())
        if isinstance(batch, DefaultRecordBatch):
            control = batch.is_control_batch
            entries.append((batch.magic, batch.compression_type, crc_ok, control))
            next_offset = max(next_offset, batch.base_offset + batch.last_offset_delta + 1)
            if control:
                continue
        else:
            entries.append((batch._magic, batch.compression_type, crc_ok, False))
        for r in batch:
            if not isinstance(batch, DefaultRecordBatch):
                next_offset = max(next_offset, r.offset + 1)
            if r.offset < fetch_offset:
                continue
            timestamp = -1 if r.timestamp is None else r.timestamp
            timestamp_type = r.timestamp_type or 0
            out.append({
                "offset": r.offset,
                "timestamp": timestamp,
                "timestamp_type": timestamp_type,
                "key": None if r.key is None else bytes(r.key).hex(),
                "value": None if r.value is None else bytes(r.value).hex(),
                "headers": [[k, None if v is None else bytes(v).hex()] for k, v in r.headers],
            })
    return entries, out, next_offset, records.valid_bytes()


def field(hex_or_none):
    return "-" if hex_or_none is None else "=" + hex_or_none


def main(argv):
    with open(argv[1], "rb") as f:
        blob = f.read()
    fetch_offset = int(argv[2]) if len(argv) > 2 else 0
    entries, records, next_offset, valid_bytes = decode(blob, fetch_offset)
    for magic, codec, crc_ok, control in entries:
        print("entry %d %d %d %d" % (magic, codec, int(crc_ok), int(control)))
    for r in records:
        parts = ["record", str(r["offset"]), str(r["timestamp"]), str(r["timestamp_type"]),
                 field(r["key"]), field(r["value"]), str(len(r["headers"]))]
        for k, v in r["headers"]:
            parts += [field(k.encode("utf-8").hex()), field(v)]
        print(" ".join(parts))
    print("end %d %d" % (next_offset, valid_bytes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
