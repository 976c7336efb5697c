# One pykafka 2.8.0 BalancedConsumer (ZooKeeper, managed=False) in a consumer group; it logs to a file what it does.
#
# usage: pykafka_member.py BOOTSTRAP BROKER_VERSION ZOOKEEPER TOPIC GROUP EVENTS_FILE
# It consumes until killed and commits with commit_offsets() whenever it has read everything
# there is (and, as pykafka always does, before each rebalance). EVENTS_FILE gets one JSON
# object per line, flushed at once:
#   {"started": CONSUMER_ID}          once it is a member
#   {"held": [PARTITION, ...]}        the partitions it consumes, whenever they change
#   {"consumed": [PARTITION, OFFSET, KEY, VALUE]}   key and value as text
#   {"committed": {PARTITION: OFFSET}} after commit_offsets(): the next offset of each partition
#                                      read since the commit before
import json
import sys

from pykafka import KafkaClient
from pykafka.common import OffsetType

SESSION_TIMEOUT_MS = 3000


def main():
    bootstrap, broker_version, zookeeper, topic_name, group, events_path = sys.argv[1:7]
    events = open(events_path, "a")

    def log(event):
        events.write(json.dumps(event) + "\n")
        events.flush()

    client = KafkaClient(hosts=bootstrap, broker_version=broker_version)
    consumer = client.topics[topic_name].get_balanced_consumer(
        consumer_group=group.encode(), zookeeper_connect=zookeeper, managed=False,
        auto_commit_enable=False, auto_offset_reset=OffsetType.EARLIEST, consumer_timeout_ms=100,
        zookeeper_connection_timeout_ms=SESSION_TIMEOUT_MS,
        # Claims that collide with partitions a spout has not released yet are retried, for
        # longer than its revoke drain and session timeout.
        rebalance_max_retries=20, rebalance_backoff_ms=500)
    # pykafka has no public accessor for the id it registered under /consumers/GROUP/ids.
    log({"started": consumer._consumer_id.decode()})
    held = None
    read = {}
    while True:
        message = consumer.consume()
        partitions = sorted(consumer.partitions)
        if partitions != held:
            held = partitions
            log({"held": held})
        if message is not None:
            read[message.partition_id] = message.offset + 1
            log({"consumed": [message.partition_id, message.offset, message.partition_key.decode(),
                              message.value.decode()]})
        elif read:
            consumer.commit_offsets()
            log({"committed": read})
            read = {}


if __name__ == "__main__":
    main()
