#!/usr/bin/python3
# Writes records blobs made by kafka-python (every magic and codec) with what its readers decode.
"""Usage: make_record_vectors.py OUTDIR

Writes into OUTDIR/records/:

  <name>.bin        one partition's records blob, as a Fetch response carries it
  <name>.json       the records kafka-python's readers decode from it, one per line:
                    {offset, timestamp, timestamp_type, key, value, headers}; bytes as hex or
                    null, headers as [key, hex or null]; v0 has no timestamp and gives -1
  <name>.meta.json  {fetch_offset, next_offset, valid_bytes, entries: [[magic, codec, crc_ok,
                    control], ...]} from the same reader
  checksums.json    CRC-32, CRC-32C and XXH32 check values, and the lz4 header checksums
  manifest.txt      the vector names

Blobs are built with DefaultRecordBatchBuilder, LegacyRecordBatchBuilder and kafka.codec;
where kafka-python cannot build a shape (raw snappy, zstd without content size, control and
LogAppendTime batches, broker-assigned wrapper offsets) the bytes are patched by hand and the
checksum recomputed. The output is the same on every run (the gzip MTIME is pinned).
"""

import json
import os
import random
import struct
import sys
from unittest import mock

import xxhash
import zstandard
from kafka.codec import snappy_encode
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.legacy_records import LegacyRecordBatchBuilder
from kafka.record.util import calc_crc32, calc_crc32c

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_records import decode  # noqa: E402

TS = 1700000000000
NONE, GZIP, SNAPPY, LZ4, ZSTD = range(5)
V2_HEADER = 61


def sample(n, first=0, headers=True):
    """n records with every key/value/header shape, compressible values, uneven timestamps."""
    out = []
    for i in range(first, first + n):
        key = [b"key-%d" % i, None, b"k%d" % i, b""][i % 4]
        value = None if i % 5 == 2 else b"value-%d " % i + b"lorem ipsum dolor sit amet " * (3 + i % 4)
        hs = []
        if headers:
            hs = [("h%d" % i, b"x%d" % i)]
            if i % 2:
                hs.append(("null-value", None))
            if i % 3 == 0:
                hs += [("", b""), ("cl\u00e9", b"\xff\x00")]
        out.append((TS + 7 * i - (500 if i % 6 == 3 else 0), key, value, hs))
    return out


def v2_batch(records, codec=NONE, base_offset=0, transactional=False, producer_id=-1):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=transactional,
                                  producer_id=producer_id, producer_epoch=0 if producer_id >= 0 else -1,
                                  base_sequence=0 if producer_id >= 0 else -1, batch_size=1 << 24)
    for i, (ts, key, value, headers) in enumerate(records):
        b.append(i, timestamp=ts, key=key, value=value, headers=headers)
    buf = bytearray(b.build())
    struct.pack_into(">q", buf, 0, base_offset)  # the broker assigns it; outside the CRC
    # The builder silently drops compression that does not pay off: make sure it was kept.
    assert buf[22] & 7 == codec, "codec %d not applied" % codec
    return bytes(buf)


def refresh_v2_crc(buf):
    struct.pack_into(">i", buf, 8, len(buf) - 12)
    struct.pack_into(">I", buf, 17, calc_crc32c(bytes(buf[21:])))
    return bytes(buf)


def v2_recompressed(records, codec, compress):
    """A batch whose records section is compressed by `compress` instead of the builder."""
    plain = v2_batch(records)
    buf = bytearray(plain[:V2_HEADER]) + compress(plain[V2_HEADER:])
    buf[22] |= codec
    return refresh_v2_crc(buf)


def v2_patched_attributes(batch, bits):
    buf = bytearray(batch)
    buf[22] |= bits
    return refresh_v2_crc(buf)


def control_batch(offset, producer_id, commit):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=NONE, is_transactional=True,
                                  producer_id=producer_id, producer_epoch=0, base_sequence=-1,
                                  batch_size=1 << 20)
    b.append(0, timestamp=TS, key=struct.pack(">hh", 0, 1 if commit else 0),
             value=struct.pack(">hi", 0, 5), headers=[])
    buf = bytearray(b.build())
    struct.pack_into(">q", buf, 0, offset)
    return v2_patched_attributes(buf, 0x20)


def legacy_set(magic, records, codec=NONE, base_offset=0):
    """A v0/v1 message set; with a codec, one wrapper whose offset is set as a broker would."""
    b = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 24)
    for i, (ts, key, value, _) in enumerate(records):
        relative = magic == 1 and codec != NONE  # KIP-31: v1 inner offsets are relative
        b.append(i if relative else base_offset + i, timestamp=ts, key=key, value=value)
    buf = bytearray(b.build())
    if codec != NONE:
        assert buf[17] & 7 == codec
        struct.pack_into(">q", buf, 0, base_offset + len(records) - 1)
    return bytes(buf)


def v1_log_append_wrapper(records, codec, base_offset, broker_time):
    buf = bytearray(legacy_set(1, records, codec, base_offset))
    buf[17] |= 0x08
    struct.pack_into(">q", buf, 18, broker_time)
    struct.pack_into(">I", buf, 12, calc_crc32(bytes(buf[16:])))
    return bytes(buf)


def lz4_hc(header, legacy):
    """Second byte of XXH32 over the descriptor; legacy (magic 0) wrongly includes the magic."""
    covered = header[:-1] if legacy else header[4:-1]
    return (xxhash.xxh32(covered).intdigest() >> 8) & 0xFF


def vectors():
    v = {}
    v["v2_plain"] = (v2_batch(sample(6), base_offset=0), 0)
    for name, codec in (("gzip", GZIP), ("snappy", SNAPPY), ("lz4", LZ4), ("zstd", ZSTD)):
        v["v2_" + name] = (v2_batch(sample(12), codec, base_offset=100), 0)
    raw = v2_recompressed(sample(12), SNAPPY, lambda b: snappy_encode(b, xerial_compatible=False))
    assert raw[V2_HEADER:V2_HEADER + 8] != b"\x82SNAPPY\x00"
    v["v2_snappy_raw"] = (raw, 0)
    no_size = v2_recompressed(sample(12), ZSTD,
                              lambda b: zstandard.ZstdCompressor(write_content_size=False).compress(b))
    assert zstandard.frame_content_size(no_size[V2_HEADER:]) == -1
    v["v2_zstd_no_content_size"] = (no_size, 0)
    v["v2_log_append_time"] = (v2_patched_attributes(v2_batch(sample(4), base_offset=50), 0x08), 0)
    v["v2_control"] = (v2_batch(sample(2), base_offset=0, transactional=True, producer_id=77) +
                       control_batch(2, 77, commit=True) +
                       v2_batch(sample(2, 3), base_offset=3, transactional=True, producer_id=77), 0)

    for magic in (0, 1):
        v["v%d_plain" % magic] = (legacy_set(magic, sample(5, headers=False), base_offset=10), 0)
        for name, codec in (("gzip", GZIP), ("snappy", SNAPPY), ("lz4", LZ4)):
            v["v%d_%s" % (magic, name)] = (legacy_set(magic, sample(8, headers=False), codec, 20), 0)
    lz4_v0 = v["v0_lz4"][0][26:33]  # v0 wrapper: 18-byte header, null key, value length
    assert lz4_v0[6] == lz4_hc(lz4_v0, legacy=True) != lz4_hc(lz4_v0, legacy=False)
    v["v1_gzip_log_append_time"] = (v1_log_append_wrapper(sample(4, headers=False), GZIP, 30, TS + 9999), 0)

    def legacy(magic, first, n, codec=NONE):
        return legacy_set(magic, sample(n, first, headers=False), codec, base_offset=first)

    def v2(first, n, codec=NONE):
        return v2_batch(sample(n, first), codec, base_offset=first)

    mixed = (legacy(0, 1000, 2) + legacy(0, 1002, 2, GZIP) + legacy(1, 1004, 2) +
             legacy(1, 1006, 3, SNAPPY) + v2(1009, 2) + v2(1011, 3, GZIP) +
             control_batch(1014, 5, commit=False) + v2(1015, 2, LZ4) + v2(1017, 2, ZSTD) +
             legacy(1, 1019, 2, LZ4))
    v["mixed_fetch"] = (mixed, 1000)
    v["mixed_fetch_from_1012"] = (mixed, 1012)
    partial = v2(1021, 4, GZIP)
    v["mixed_fetch_truncated"] = (mixed + partial[:len(partial) // 2], 1000)
    return v


def checksums():
    rng = random.Random(20240607)
    items = [b"", b"123456789", b"a", bytes(range(256)), bytes(rng.getrandbits(8) for _ in range(1000))]
    header = bytes([0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x00])
    return {
        "items": [{"data": d.hex(), "crc32": calc_crc32(d), "crc32c": calc_crc32c(d),
                   "xxh32": xxhash.xxh32(d).intdigest()} for d in items],
        "lz4_descriptor": "6040",
        "lz4_hc": lz4_hc(header, legacy=False),
        "lz4_hc_magic0": lz4_hc(header, legacy=True),
    }


def write_json_lines(path, records):
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records))
        f.write("\n]\n")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = os.path.join(argv[1], "records")
    os.makedirs(outdir, exist_ok=True)
    with mock.patch("time.time", return_value=0):
        made = vectors()
    for name, (blob, fetch_offset) in sorted(made.items()):
        entries, records, next_offset, valid_bytes = decode(blob, fetch_offset)
        assert all(crc_ok for _, _, crc_ok, _ in entries), name
        with open(os.path.join(outdir, name + ".bin"), "wb") as f:
            f.write(blob)
        write_json_lines(os.path.join(outdir, name + ".json"), records)
        meta = {"fetch_offset": fetch_offset, "next_offset": next_offset, "valid_bytes": valid_bytes,
                "entries": [list(e) for e in entries]}
        with open(os.path.join(outdir, name + ".meta.json"), "w") as f:
            json.dump(meta, f, sort_keys=True)
            f.write("\n")
    with open(os.path.join(outdir, "checksums.json"), "w") as f:
        json.dump(checksums(), f, sort_keys=True, indent=1)
        f.write("\n")
    with open(os.path.join(outdir, "manifest.txt"), "w") as f:
        f.write("".join(name + "\n" for name in sorted(made)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
