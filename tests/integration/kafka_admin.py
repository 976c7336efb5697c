# Creates a topic on a real broker (Kafka 0.10.1 or later) with kafka-python's admin client.
"""usage: kafka_admin.py create HOST:PORT[,...] TOPIC PARTITIONS REPLICAS [NAME=VALUE]...

Creates TOPIC with PARTITIONS partitions, REPLICAS replicas of each and the given topic configs with
CreateTopics. Exits non-zero with the broker's error otherwise. The leaders may not be known yet
when it returns. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import sys

from kafka.admin import KafkaAdminClient, NewTopic


def create(bootstrap, topic, partitions, replicas, configs):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(','), client_id='kspout-admin-peer',
                             request_timeout_ms=20000)
    try:
        response = admin.create_topics([NewTopic(topic, partitions, replicas, topic_configs=configs)],
                                       timeout_ms=20000)
        for name, code, *rest in response.topic_errors:
            if code != 0:
                raise RuntimeError('CreateTopics %s: error %d %s' % (name, code, rest[0] if rest else ''))
    finally:
        admin.close()


def main(argv):
    if len(argv) < 6 or argv[1] != 'create':
        sys.stderr.write(__doc__)
        return 2
    configs = dict(pair.split('=', 1) for pair in argv[6:])
    create(argv[2], argv[3], int(argv[4]), int(argv[5]), configs)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
