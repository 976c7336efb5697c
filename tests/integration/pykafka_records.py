# pykafka 2.8.0 producing records in a codec per partition, or reading a whole topic with its SimpleConsumer.
#
# usage: pykafka_records.py produce BOOTSTRAP BROKER_VERSION TOPIC COUNT CODEC...
#            partition i gets COUNT records compressed with CODEC i (none, gzip, snappy, lz4)
#        pykafka_records.py consume BOOTSTRAP BROKER_VERSION TOPIC
#            every record from the earliest offset to the end of every partition
# Both print one JSON object per record, as pykafka reported it delivered or read it:
#   {"partition": P, "offset": O, "key": HEX|null, "value": HEX|null, "timestamp": MS}
import datetime
import json
import sys

from pykafka import KafkaClient
from pykafka.common import CompressionType, OffsetType

CODECS = {"none": CompressionType.NONE, "gzip": CompressionType.GZIP,
          "snappy": CompressionType.SNAPPY, "lz4": CompressionType.LZ4}
FIRST_TIMESTAMP = datetime.datetime(2023, 11, 14, 22, 13, 20)


def hex_or_null(data):
    return None if data is None else data.hex()


def print_record(m):
    print(json.dumps({"partition": m.partition_id, "offset": m.offset, "key": hex_or_null(m.partition_key),
                      "value": hex_or_null(m.value), "timestamp": m.timestamp}))


# Record i: no key every 10th, a null value every 23rd, an empty one every 17th, all 256 byte
# values once, otherwise words that compress.
def record(codec, i):
    key = None if i % 10 == 9 else ("pykafka-%s-%d" % (codec, i)).encode()
    if i % 23 == 7:
        value = None
    elif i % 17 == 5:
        value = b""
    elif i == 3:
        value = bytes(range(256)) * 2
    else:
        value = (" ".join(["record", codec, str(i)] + ["kafka", "spout", "storm"] * (1 + i % 7))).encode()
    return key, value


def produce(topic, count, codecs):
    for partition, codec in enumerate(codecs):
        pinned = lambda partitions, key, wanted=partition: next(p for p in partitions if p.id == wanted)
        delivered = []
        with topic.get_producer(partitioner=pinned, compression=CODECS[codec], delivery_reports=True,
                                linger_ms=10) as producer:
            # Ten records at a time, each ten delivered before the next: several compressed sets.
            for first in range(0, count, 10):
                chunk = range(first, min(first + 10, count))
                for i in chunk:
                    key, value = record(codec, i)
                    producer.produce(value, partition_key=key,
                                     timestamp=FIRST_TIMESTAMP + datetime.timedelta(milliseconds=i))
                for _ in chunk:
                    message, error = producer.get_delivery_report(block=True, timeout=30)
                    if error is not None:
                        raise error
                    delivered.append(message)
        for m in sorted(delivered, key=lambda m: m.offset):
            print_record(m)


def consume(topic):
    ends = {p: r.offset[0] for p, r in topic.latest_available_offsets().items()}
    consumer = topic.get_simple_consumer(auto_offset_reset=OffsetType.EARLIEST, reset_offset_on_start=True,
                                         consumer_timeout_ms=30000)
    remaining = sum(ends.values())
    while remaining > 0:
        m = consumer.consume()
        if m is None:
            sys.exit("pykafka_records: no record for 30 s with %d still to come" % remaining)
        print_record(m)
        if m.offset < ends[m.partition_id]:
            remaining -= 1
    consumer.stop()


def main():
    command, bootstrap, broker_version, topic_name = sys.argv[1:5]
    client = KafkaClient(hosts=bootstrap, broker_version=broker_version)
    topic = client.topics[topic_name]
    if command == "produce":
        produce(topic, int(sys.argv[5]), sys.argv[6:])
    elif command == "consume":
        consume(topic)
    else:
        sys.exit("pykafka_records: unknown command " + command)


if __name__ == "__main__":
    main()
