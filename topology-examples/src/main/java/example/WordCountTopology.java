// The word count in Java: kafka-spout -> wordcount-split-bolt -> wordcount-count-bolt -> kafka-bolt.
package example;

import static example.ExampleTopology.required;

import java.util.Map;

import org.apache.storm.Config;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.task.ShellBolt;
import org.apache.storm.topology.IRichBolt;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.topology.TopologyBuilder;
import org.apache.storm.tuple.Fields;

// The same topology as wordcount.flux.yaml: lines from kafka.topic, the running count of every
// word to kafka.bolt.topic, keyed by the word. The two word count bolts are C++ executables in
// the jar's resources/, started through run-wordcount-bolt.sh.
public final class WordCountTopology {
    private WordCountTopology() {
    }

    // Options (all strings): bootstrap, topic (lines), counts (the output topic), group,
    // parallelism (of every component, default 2).
    public static StormTopology build(Map<String, String> options) {
        int parallelism = Integer.parseInt(options.getOrDefault("parallelism", "2"));
        TopologyBuilder builder = new TopologyBuilder();
        builder.setSpout("kafka", new KafkaShellSpout(required(options, "topic"), required(options, "group"),
            required(options, "bootstrap"), "value"), parallelism);
        builder.setBolt("split", new WordCountBolt("split", "word"), parallelism).shuffleGrouping("kafka");
        builder.setBolt("count", new WordCountBolt("count", "word", "count"), parallelism)
            .fieldsGrouping("split", new Fields("word"));
        // One kafka-bolt task per word keeps a word's counts in order in the output topic.
        builder.setBolt("write", new KafkaShellBolt(), parallelism).fieldsGrouping("count", new Fields("word"));
        return builder.createTopology();
    }

    public static Config config(Map<String, String> options) {
        Config conf = new Config();
        conf.setNumWorkers(1);
        conf.setMessageTimeoutSecs(30);
        conf.setMaxSpoutPending(1000);
        conf.put(Config.TOPOLOGY_SUBPROCESS_TIMEOUT_SECS, 30);
        conf.put("kafka.bootstrap.servers", required(options, "bootstrap"));
        conf.put("kafka.topic", required(options, "topic"));
        conf.put("kafka.group.id", required(options, "group"));
        conf.put("kafka.spout.assignment", "static");
        conf.put("kafka.auto.offset.reset", "earliest");
        // kafka-bolt: the count bolt's fields, the word as the record's key, the count as its value.
        conf.put("kafka.bolt.topic", required(options, "counts"));
        conf.put("kafka.bolt.fields", "word,count");
        conf.put("kafka.bolt.key.field", "word");
        conf.put("kafka.bolt.value.field", "count");
        return conf;
    }

    // wordcount-split-bolt or wordcount-count-bolt, declaring its output fields.
    public static class WordCountBolt extends ShellBolt implements IRichBolt {
        private final String[] fields;

        public WordCountBolt(String name, String... fields) {
            super("sh", "run-wordcount-bolt.sh", name);
            this.fields = fields.clone();
        }

        @Override
        public void declareOutputFields(OutputFieldsDeclarer declarer) {
            declarer.declare(new Fields(fields));
        }

        @Override
        public Map<String, Object> getComponentConfiguration() {
            return null;
        }
    }
}
