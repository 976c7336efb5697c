# kafka-python over TLS or SASL: produces numbered records to a topic, or prints the values it reads.
"""usage: secure_peer.py produce|consume|login HOST:PORT TOPIC COUNT

The environment variable KSPOUT_PEER_CONFIG holds kafka-python's security settings as a JSON
object (security_protocol, ssl_cafile, ssl_certfile, ssl_keyfile, ssl_password, sasl_mechanism,
sasl_plain_username, sasl_plain_password, ...): passwords stay out of the command line. produce
writes COUNT records with values "python-<i>" to partition 0; consume reads COUNT records from the
beginning of partition 0 and prints their values, one a line; login only logs in and lists the
topics (TOPIC and COUNT unused), exiting 1 if the broker refuses. Run it with Debian's system
python3, which has python3-kafka.
"""
import json
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition, errors

LIMIT_SECONDS = 30


def main(argv):
    if len(argv) != 5 or argv[1] not in ('produce', 'consume', 'login'):
        sys.stderr.write(__doc__)
        return 2
    mode, bootstrap, topic, count = argv[1], argv[2], argv[3], int(argv[4])
    config = dict(bootstrap_servers=[bootstrap], **json.loads(os.environ['KSPOUT_PEER_CONFIG']))
    if mode == 'login':
        try:
            consumer = KafkaConsumer(**config)
            consumer.topics()
            consumer.close()
        except errors.KafkaError as e:
            sys.stderr.write('login refused: %s\n' % type(e).__name__)
            return 1
        return 0
    if mode == 'produce':
        producer = KafkaProducer(**config)
        for i in range(count):
            producer.send(topic, value=b'python-%d' % i, partition=0)
        producer.flush()
        producer.close()
        return 0
    consumer = KafkaConsumer(enable_auto_commit=False, group_id=None, **config)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        values = []
        deadline = time.monotonic() + LIMIT_SECONDS
        while len(values) < count:
            if time.monotonic() > deadline:
                raise RuntimeError('read %d of %d records' % (len(values), count))
            for messages in consumer.poll(timeout_ms=500).values():
                values.extend(m.value.decode() for m in messages)
    finally:
        consumer.close()
    for v in values[:count]:
        print(v)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
