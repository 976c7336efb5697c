# The Python peer for the bolt benchmark: a pystorm Bolt with kafka-python's KafkaProducer doing
# kafka-bolt's job: each tuple [key, value] becomes one record of kafka.bolt.topic, acked once the
# broker acknowledged it (acks=all), failed on a delivery error. pystorm writes the ack from the
# producer's I/O thread under its writer lock. Run with the peers' venv python (pystorm is from PyPI).
from kafka import KafkaProducer
from pystorm import Bolt


class KafkaBolt(Bolt):
    auto_ack = False
    auto_fail = False

    def initialize(self, conf, context):
        self.topic = conf["kafka.bolt.topic"]
        # kafka-bolt's defaults where kafka-python has the same knob.
        self.producer = KafkaProducer(bootstrap_servers=conf["kafka.bootstrap.servers"].split(","),
                                      acks="all", linger_ms=5, batch_size=65536, retries=2147483647)

    def process(self, tup):
        key, value = tup.values
        future = self.producer.send(self.topic, key=key.encode(), value=value.encode())
        future.add_callback(lambda _, t=tup: self.ack(t))
        future.add_errback(lambda _, t=tup: self.fail(t))


if __name__ == "__main__":
    KafkaBolt().run()
