# Reads every record of a topic with kafka-python's KafkaConsumer and prints one line per record.
"""usage: consume_python.py HOST:PORT[,...] TOPIC [API_VERSION]

Assigns every partition of TOPIC, reads from the beginning up to the end offsets taken at the start,
and prints, sorted by partition and offset, one line per record:

    PARTITION OFFSET TIMESTAMP KEY VALUE DEFAULT_PARTITION HEADER_COUNT [HKEY HVALUE]...

KEY, VALUE, HKEY and HVALUE are ':' followed by the bytes in hex (':' alone is empty), or '-' for
null. DEFAULT_PARTITION is the partition kafka-python's DefaultPartitioner picks for the key given
the topic's partition count ('-' for a null key). API_VERSION is what kafka-python assumes of the
broker: 0.11 (the default, for the mock) or "auto" to probe it (for real brokers). Run it with Debian's system python3, which has
python3-kafka.
"""
import sys
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.partitioner.default import DefaultPartitioner

LIMIT_SECONDS = 30


def field(data):
    return '-' if data is None else ':' + data.hex()


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    bootstrap, topic = argv[1], argv[2]
    # The mock serves Metadata up to v2 only; 0.11 keeps kafka-python within what it serves while
    # still fetching RecordBatch v2 (headers). Kafka 4 no longer serves those old versions.
    wanted = argv[3] if len(argv) == 4 else '0.11'
    api_version = None if wanted == 'auto' else tuple(int(p) for p in wanted.split('.'))
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(','), api_version=api_version,
                             enable_auto_commit=False, group_id=None, check_crcs=True)
    try:
        partitions = sorted(consumer.partitions_for_topic(topic) or [])
        if not partitions:
            raise RuntimeError('topic %s has no partitions' % topic)
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        end = consumer.end_offsets(assigned)
        partitioner = DefaultPartitioner()
        records = []
        deadline = time.monotonic() + LIMIT_SECONDS
        while any(consumer.position(tp) < end[tp] for tp in assigned):
            if time.monotonic() > deadline:
                raise RuntimeError('did not reach the end offsets %s' % end)
            for tp, messages in consumer.poll(timeout_ms=500).items():
                for m in messages:
                    if m.offset < end[tp]:
                        records.append(m)
    finally:
        consumer.close()

    for m in sorted(records, key=lambda m: (m.partition, m.offset)):
        expected = '-' if m.key is None else str(partitioner(m.key, partitions, partitions))
        headers = ' '.join('%s %s' % (field(k.encode()), field(v)) for k, v in m.headers)
        print('%d %d %d %s %s %s %d%s' % (m.partition, m.offset, m.timestamp, field(m.key), field(m.value),
                                        expected, len(m.headers), ' ' + headers if headers else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
