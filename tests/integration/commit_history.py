# Prints every offset commit a group made on a topic, in the order the coordinator stored them.
"""usage: commit_history.py HOST:PORT[,...] GROUP TOPIC

Reads __consumer_offsets from its start to its end with kafka-python and prints one
"PARTITION OFFSET" line per offset commit record of GROUP on TOPIC, in log order. This is the
broker's own record of the commits, where a sampled OffsetFetch can answer an older value for a
moment after the coordinator moved. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import struct
import sys

from kafka import KafkaConsumer, TopicPartition


def read_string(data, at):
    (length,) = struct.unpack_from('>h', data, at)
    at += 2
    return data[at:at + length].decode('utf-8'), at + length


def offset_commit(key, value):
    """(group, topic, partition, offset) of an offset commit record, None for any other record."""
    if key is None or value is None or len(key) < 2:
        return None  # a tombstone deletes an offset: not a commit
    (key_version,) = struct.unpack_from('>h', key, 0)
    if key_version not in (0, 1):
        return None  # group metadata and KIP-848 group records share the topic
    group, at = read_string(key, 2)
    topic, at = read_string(key, at)
    (partition,) = struct.unpack_from('>i', key, at)
    # Every value version starts with the version and the offset.
    (_, offset) = struct.unpack_from('>hq', value, 0)
    return group, topic, partition, offset


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    bootstrap, group, topic = argv[1], argv[2], argv[3]
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(','), exclude_internal_topics=False,
                             enable_auto_commit=False, request_timeout_ms=20000, api_version_auto_timeout_ms=10000)
    try:
        partitions = [TopicPartition('__consumer_offsets', p)
                      for p in sorted(consumer.partitions_for_topic('__consumer_offsets') or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    commit = offset_commit(record.key, record.value)
                    if commit and commit[0] == group and commit[1] == topic:
                        print(commit[2], commit[3])
    finally:
        consumer.close(autocommit=False)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
