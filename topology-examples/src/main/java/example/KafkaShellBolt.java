// A plain-Java declaration of kafka-bolt: each input tuple becomes a Kafka record, acked once the broker has it.
package example;

import java.util.Map;

import org.apache.storm.task.ShellBolt;
import org.apache.storm.topology.IRichBolt;
import org.apache.storm.topology.OutputFieldsDeclarer;

// It emits nothing unless kafka.bolt.error.stream is set; then declare that stream in a subclass.
// Its kafka.bolt.* settings come from the topology config (kafka-spout skips them there).
public class KafkaShellBolt extends ShellBolt implements IRichBolt {
    public KafkaShellBolt() {
        super("sh", "run-kafka-bolt.sh");
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return null;
    }
}
