# kafka-python over mutual TLS: produces numbered records to a topic, or prints the values it reads.
"""usage: tls_peer.py produce|consume HOST:PORT TOPIC COUNT CA_FILE CERT_FILE KEY_FILE

The key's password comes from the environment variable KSPOUT_TLS_KEY_PASSWORD. produce writes
COUNT records with values "python-<i>" to partition 0; consume reads COUNT records from the
beginning of partition 0 and prints their values, one a line. Hostname verification is on.
Run it with Debian's system python3, which has python3-kafka.
"""
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

LIMIT_SECONDS = 30


def main(argv):
    if len(argv) != 8 or argv[1] not in ('produce', 'consume'):
        sys.stderr.write(__doc__)
        return 2
    mode, bootstrap, topic, count, ca, cert, key = argv[1], argv[2], argv[3], int(argv[4]), argv[5], argv[6], argv[7]
    tls = dict(bootstrap_servers=[bootstrap], security_protocol='SSL', ssl_cafile=ca, ssl_certfile=cert,
               ssl_keyfile=key, ssl_password=os.environ['KSPOUT_TLS_KEY_PASSWORD'], ssl_check_hostname=True)
    if mode == 'produce':
        producer = KafkaProducer(**tls)
        for i in range(count):
            producer.send(topic, value=b'python-%d' % i, partition=0)
        producer.flush()
        producer.close()
        return 0
    consumer = KafkaConsumer(enable_auto_commit=False, group_id=None, **tls)
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
