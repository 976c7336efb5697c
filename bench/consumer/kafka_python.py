# Consumer benchmark, kafka-python's side: assign every partition from the beginning, read N messages.
import json
import resource
import sys
import time

from kafka import KafkaConsumer, TopicPartition


def main():
    bootstrap, topic, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start = time.monotonic()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             check_crcs=True, api_version=(0, 11), group_id=None)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    seen = value_bytes = 0
    while seen < wanted:
        for records in consumer.poll(timeout_ms=1000, max_records=10000).values():
            seen += len(records)
            value_bytes += sum(len(r.value or b"") for r in records)
    seconds = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"client": "kafka-python", "messages": seen, "value_bytes": value_bytes,
                      "seconds": round(seconds, 4), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4),
                      "max_rss_kb": usage.ru_maxrss}))
    consumer.close()


if __name__ == "__main__":
    main()
