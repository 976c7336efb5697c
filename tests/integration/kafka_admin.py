# Creates a topic on a real broker (Kafka 0.10.1 or later) with kafka-python's admin client.
"""usage: kafka_admin.py create HOST:PORT[,...] TOPIC PARTITIONS REPLICAS [NAME=VALUE]...
       kafka_admin.py add-partitions HOST:PORT[,...] TOPIC TOTAL

create makes TOPIC with PARTITIONS partitions, REPLICAS replicas of each and the given topic
configs with CreateTopics; add-partitions grows TOPIC to TOTAL partitions with CreatePartitions
(Kafka 1.0 or later). Both exit non-zero with the broker's error otherwise. The leaders may not be
known yet when they return. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import sys

from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic


def admin_client(bootstrap):
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(','), client_id='kspout-admin-peer',
                            request_timeout_ms=20000)


def check(response, request):
    for name, code, *rest in response.topic_errors:
        if code != 0:
            raise RuntimeError('%s %s: error %d %s' % (request, name, code, rest[0] if rest else ''))


def create(bootstrap, topic, partitions, replicas, configs):
    admin = admin_client(bootstrap)
    try:
        check(admin.create_topics([NewTopic(topic, partitions, replicas, topic_configs=configs)], timeout_ms=20000),
              'CreateTopics')
    finally:
        admin.close()


def add_partitions(bootstrap, topic, total):
    admin = admin_client(bootstrap)
    try:
        check(admin.create_partitions({topic: NewPartitions(total)}, timeout_ms=20000), 'CreatePartitions')
    finally:
        admin.close()


def main(argv):
    if len(argv) >= 6 and argv[1] == 'create':
        configs = dict(pair.split('=', 1) for pair in argv[6:])
        create(argv[2], argv[3], int(argv[4]), int(argv[5]), configs)
        return 0
    if len(argv) == 5 and argv[1] == 'add-partitions':
        add_partitions(argv[2], argv[3], int(argv[4]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
