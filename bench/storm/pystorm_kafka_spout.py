# The Python spout of the Storm benchmark: bench/spout's kafka-python spout job on pystorm, the
# multilang library under streamparse. Static assignment by task index, like kafka-spout's.
import os
import sys

from pystorm import Spout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spout"))
from python_spout import KafkaPythonSpout  # noqa: E402


class PystormKafkaSpout(Spout):
    def initialize(self, storm_conf, context):
        component = context["task->component"][str(context["taskid"])]
        tasks = sorted(int(t) for t, c in context["task->component"].items() if c == component)
        self.job = KafkaPythonSpout(storm_conf, emit=lambda msg_id, values: self.emit(values, tup_id=msg_id),
                                    task=tasks.index(int(context["taskid"])), tasks=len(tasks))

    def next_tuple(self):
        self.job.next_tuples()

    def ack(self, tup_id):
        self.job.ack(tup_id)

    def fail(self, tup_id):
        self.job.fail(tup_id)

    def deactivate(self):
        self.job.commit()


if __name__ == "__main__":
    PystormKafkaSpout().run()
