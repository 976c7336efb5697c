// A plain-Java declaration of kafka-spout for topologies built with TopologyBuilder.
package example;

import java.util.HashMap;
import java.util.Map;

import org.apache.storm.Config;
import org.apache.storm.metric.api.rpc.IShellMetric;
import org.apache.storm.spout.ShellSpout;
import org.apache.storm.spout.SpoutOutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.IRichSpout;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.tuple.Fields;
import org.apache.storm.utils.ObjectReader;

public class KafkaShellSpout extends ShellSpout implements IRichSpout {
    // The value of kafka.spout.metrics that matches what open() registers. Storm kills the worker
    // for a metrics message whose name was not registered, so the two must agree.
    public static final String METRICS = "emitted,acked,failed,replayed,committed,lag";
    private static final String PREFIX = "kafka-spout."; // kafka.spout.metrics.prefix's default
    private static final String[] COUNTERS = {"emitted", "acked", "failed", "replayed", "committed"};

    private final Map<String, Object> componentConfig = new HashMap<>();
    private final String[] fields;

    public KafkaShellSpout(String topic, String groupId, String bootstrapServers) {
        this(topic, groupId, bootstrapServers, "topic", "partition", "offset", "key", "value");
    }

    // The declared fields decide the tuple: any of topic, partition, offset, key, value,
    // timestamp, headers, in any order.
    public KafkaShellSpout(String topic, String groupId, String bootstrapServers, String... fields) {
        super("sh", "run-kafka-spout.sh");
        this.fields = fields.clone();
        // The Storm UI computes lag for spouts that declare these three keys.
        componentConfig.put("config.topics", topic);
        componentConfig.put("config.groupid", groupId);
        componentConfig.put("config.bootstrap.servers", bootstrapServers);
    }

    @Override
    public void open(Map<String, Object> conf, TopologyContext context, SpoutOutputCollector collector) {
        // Metrics can only be registered in open(), before the subprocess starts. They are reported
        // to the metrics consumers every time bucket of Storm's built-in metrics (60 s by default).
        int bucketSecs = ObjectReader.getInt(conf.get(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS), 60);
        for (String counter : COUNTERS) {
            context.registerMetric(PREFIX + counter, new DeltaMetric(), bucketSecs);
        }
        context.registerMetric(PREFIX + "lag", new GaugeMetric(), bucketSecs);
        super.open(conf, context, collector);
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
        declarer.declare(new Fields(fields));
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return componentConfig;
    }

    // A counter fed with deltas: adds each value, reports the sum per time bucket and starts
    // again. Storm's CountShellMetric does the same but accepts only a Long, and Storm 2.6 and
    // later parse small JSON numbers as Integer, which it rejects (fatal for the worker).
    public static class DeltaMetric implements IShellMetric {
        private long sum = 0;

        @Override
        public void updateMetricFromRPC(Object value) {
            if (value == null) {
                sum += 1;
            } else if (value instanceof Number) {
                sum += ((Number) value).longValue();
            } else {
                throw new IllegalArgumentException("expected a number, got " + value);
            }
        }

        @Override
        public Object getValueAndReset() {
            long value = sum;
            sum = 0;
            return value;
        }
    }

    // A gauge: reports the last value received (null until the first), and keeps it.
    public static class GaugeMetric implements IShellMetric {
        private Long value = null;

        @Override
        public void updateMetricFromRPC(Object update) {
            if (!(update instanceof Number)) {
                throw new IllegalArgumentException("expected a number, got " + update);
            }
            value = ((Number) update).longValue();
        }

        @Override
        public Object getValueAndReset() {
            return value;
        }
    }
}

// Usage:
//   TopologyBuilder builder = new TopologyBuilder();
//   builder.setSpout("kafka", new KafkaShellSpout("events", "events-to-storm", "kafka1:9092"), 4);
//   Config conf = new Config();
//   conf.put("kafka.bootstrap.servers", "kafka1:9092");
//   conf.put("kafka.zookeeper.connect", "zk1:2181/kafka");
//   conf.put("kafka.topic", "events");
//   conf.put("kafka.group.id", "events-to-storm");
//   conf.put("kafka.spout.metrics", KafkaShellSpout.METRICS);
