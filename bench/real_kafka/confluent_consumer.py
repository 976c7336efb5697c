# Consumer benchmark, confluent-kafka's side (PyPI, with its own newer librdkafka): read N messages.
import json
import os
import resource
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def main():
    bootstrap, topic, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start = time.monotonic()
    config = {"bootstrap.servers": bootstrap, "group.id": "kspout-bench-confluent",
              "enable.auto.commit": False, "enable.auto.offset.store": False, "check.crcs": True, "log_level": 3}
    if os.environ.get("KSPOUT_BENCH_SSL_CA"):  # run_real_kafka_bench.py --tls: mutual TLS
        config.update({"security.protocol": "ssl", "ssl.ca.location": os.environ["KSPOUT_BENCH_SSL_CA"],
                       "ssl.certificate.location": os.environ["KSPOUT_BENCH_SSL_CERT"],
                       "ssl.key.location": os.environ["KSPOUT_BENCH_SSL_KEY"],
                       "ssl.key.password": os.environ["KSPOUT_BENCH_SSL_KEY_PASSWORD"]})
    consumer = Consumer(config)
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(partitions)])
    seen = value_bytes = 0
    while seen < wanted:
        for m in consumer.consume(num_messages=10000, timeout=1.0):
            if m.error() is None:
                seen += 1
                value_bytes += len(m.value() or b"")
    seconds = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"client": "confluent-kafka", "messages": seen, "value_bytes": value_bytes,
                      "seconds": round(seconds, 4), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4),
                      "max_rss_kb": usage.ru_maxrss}))
    consumer.close()


if __name__ == "__main__":
    main()
