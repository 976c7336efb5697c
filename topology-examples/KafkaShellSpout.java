// A plain-Java declaration of kafka-spout for topologies built with TopologyBuilder.
package example;

import java.util.HashMap;
import java.util.Map;

import org.apache.storm.spout.ShellSpout;
import org.apache.storm.topology.IRichSpout;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.tuple.Fields;

public class KafkaShellSpout extends ShellSpout implements IRichSpout {
    private final Map<String, Object> componentConfig = new HashMap<>();

    public KafkaShellSpout(String topic, String groupId, String bootstrapServers) {
        super("sh", "run-kafka-spout.sh");
        // The Storm UI computes lag for spouts that declare these three keys.
        componentConfig.put("config.topics", topic);
        componentConfig.put("config.groupid", groupId);
        componentConfig.put("config.bootstrap.servers", bootstrapServers);
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
        declarer.declare(new Fields("topic", "partition", "offset", "key", "value"));
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return componentConfig;
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
