# Commits or reads a consumer group's offsets with kafka-python, as an independent peer of our consumer.
"""usage: consumer_offsets.py commit HOST:PORT[,...] GROUP TOPIC PARTITION=OFFSET...
       consumer_offsets.py committed HOST:PORT[,...] GROUP TOPIC PARTITION...

commit stores the offsets for GROUP with a manually assigned KafkaConsumer (generation -1,
member "", i.e. outside any broker-managed group). committed prints one "PARTITION=OFFSET" line
per partition, OFFSET being "none" where the group has nothing committed. Both find the group
coordinator with FindCoordinator. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import sys

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata


def make_consumer(bootstrap, group):
    return KafkaConsumer(bootstrap_servers=bootstrap.split(','), group_id=group, enable_auto_commit=False,
                         client_id='kspout-offsets-peer', request_timeout_ms=20000,
                         api_version_auto_timeout_ms=10000)


def commit(bootstrap, group, topic, pairs):
    offsets = {}
    for pair in pairs:
        partition, _, offset = pair.partition('=')
        offsets[TopicPartition(topic, int(partition))] = OffsetAndMetadata(int(offset), '')
    consumer = make_consumer(bootstrap, group)
    try:
        consumer.assign(list(offsets))
        consumer.commit(offsets)
    finally:
        consumer.close(autocommit=False)
    print('committed %d offsets' % len(offsets))


def committed(bootstrap, group, topic, partitions):
    consumer = make_consumer(bootstrap, group)
    try:
        for partition in partitions:
            offset = consumer.committed(TopicPartition(topic, int(partition)))
            print('%d=%s' % (int(partition), 'none' if offset is None else offset))
    finally:
        consumer.close(autocommit=False)


def main(argv):
    if len(argv) < 6 or argv[1] not in ('commit', 'committed'):
        sys.stderr.write(__doc__)
        return 2
    command, bootstrap, group, topic, rest = argv[1], argv[2], argv[3], argv[4], argv[5:]
    if command == 'commit':
        commit(bootstrap, group, topic, rest)
    else:
        committed(bootstrap, group, topic, rest)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
