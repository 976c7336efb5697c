# kafka-python's KafkaConsumer as a member of a consumer group: reads its share to the end and leaves, printing "PARTITION OFFSET" lines.
"""usage: kafka_python_group_member.py HOST:PORT[,...] GROUP TOPIC

Subscribes to TOPIC in GROUP (the classic group protocol). Once it has been assigned partitions
and has read each of them up to its end offset, it closes (leaving the group) and exits 0, as
kcat -G ... -e does. Run with Debian's /usr/bin/python3, which has python3-kafka.
"""
import sys

from kafka import KafkaConsumer


def main(bootstrap, group, topic):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap.split(','), group_id=group,
                             enable_auto_commit=False, auto_offset_reset='earliest',
                             client_id='kspout-group-peer', request_timeout_ms=30000,
                             session_timeout_ms=10000, heartbeat_interval_ms=1000,
                             api_version_auto_timeout_ms=10000)
    try:
        while True:
            for records in consumer.poll(timeout_ms=200).values():
                for r in records:
                    print(f"{r.partition} {r.offset}", flush=True)
            assigned = consumer.assignment()
            if assigned:
                ends = consumer.end_offsets(list(assigned))
                if all(consumer.position(tp) >= ends[tp] for tp in assigned):
                    return 0
    finally:
        consumer.close()


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
