# Creates a topic on a real broker with kafka-python's admin client and waits until its leaders are known.
"""usage: kafka_admin.py create HOST:PORT TOPIC PARTITIONS [NAME=VALUE]...

Creates TOPIC with PARTITIONS partitions, replication factor 1 and the given topic configs, then
waits until the broker's metadata lists a leader for every partition. Exits non-zero with the
broker's error otherwise. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import sys
import time

from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic

LIMIT_SECONDS = 30


def create(bootstrap, topic, partitions, configs):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(','), client_id='kspout-admin-peer',
                             request_timeout_ms=20000)
    try:
        response = admin.create_topics([NewTopic(topic, partitions, 1, topic_configs=configs)],
                                       timeout_ms=20000)
        for name, code, *rest in response.topic_errors:
            if code != 0:
                raise RuntimeError('CreateTopics %s: error %d %s' % (name, code, rest[0] if rest else ''))
    finally:
        admin.close()
    # Leaders come with the next metadata the controller publishes; poll the broker until they show.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(','), client_id='kspout-admin-peer')
    try:
        deadline = time.monotonic() + LIMIT_SECONDS
        while True:
            consumer._client.cluster.request_update()
            consumer._client.poll(timeout_ms=200)
            cluster = consumer._client.cluster
            available = cluster.available_partitions_for_topic(topic) or set()
            if len(available) == partitions:
                break
            if time.monotonic() > deadline:
                raise RuntimeError('topic %s: %d of %d partitions have a leader after %d s'
                                   % (topic, len(available), partitions, LIMIT_SECONDS))
    finally:
        consumer.close()


def main(argv):
    if len(argv) < 5 or argv[1] != 'create':
        sys.stderr.write(__doc__)
        return 2
    configs = dict(pair.split('=', 1) for pair in argv[5:])
    create(argv[2], argv[3], int(argv[4]), configs)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
