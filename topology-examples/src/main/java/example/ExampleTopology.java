// The example topology: kafka-spout (parallelism N) -> RecordingBolt -> ack, and its config.
package example;

import java.util.Map;

import org.apache.storm.Config;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.topology.TopologyBuilder;

public final class ExampleTopology {
    private ExampleTopology() {
    }

    // Options (all strings): bootstrap, zookeeper (for balanced), topic, group, out (the bolt's
    // file), parallelism, mode (balanced | static), fail.every, hold.every, timeout.secs,
    // metrics.out (a file: registers FileMetricsConsumer), metrics.bucket.secs (Storm's time bucket
    // for the metrics, default 60), metrics.interval.ms (kafka-spout's least time between reports).
    public static StormTopology build(Map<String, String> options) {
        TopologyBuilder builder = new TopologyBuilder();
        builder.setSpout("kafka", new KafkaShellSpout(required(options, "topic"), required(options, "group"),
            required(options, "bootstrap")), Integer.parseInt(options.getOrDefault("parallelism", "3")));
        builder.setBolt("record", new RecordingBolt(), 1).shuffleGrouping("kafka");
        return builder.createTopology();
    }

    public static Config config(Map<String, String> options) {
        Config conf = new Config();
        conf.setNumWorkers(1);
        conf.setMessageTimeoutSecs(Integer.parseInt(options.getOrDefault("timeout.secs", "30")));
        conf.setMaxSpoutPending(1000);
        conf.put(Config.TOPOLOGY_ENABLE_MESSAGE_TIMEOUTS, true);
        conf.put(Config.TOPOLOGY_SUBPROCESS_TIMEOUT_SECS, 30);
        conf.put("kafka.bootstrap.servers", required(options, "bootstrap"));
        conf.put("kafka.topic", required(options, "topic"));
        conf.put("kafka.group.id", required(options, "group"));
        String mode = options.getOrDefault("mode", "balanced");
        conf.put("kafka.spout.assignment", mode);
        if (mode.equals("balanced")) {
            conf.put("kafka.zookeeper.connect", required(options, "zookeeper"));
            conf.put("kafka.zookeeper.session.timeout.ms", 4000);
            conf.put("kafka.rebalance.backoff.ms", 200);
        }
        conf.put("kafka.auto.offset.reset", "earliest");
        conf.put("kafka.spout.commit.interval.ms", 200);
        conf.put("kafka.spout.retry.initial.delay.ms", 50);
        conf.put("kafka.spout.retry.max.delay.ms", 1000);
        conf.put("kafka.spout.stats.interval.ms", 0);
        conf.put("kafka.spout.metrics", KafkaShellSpout.METRICS);
        conf.put("kafka.spout.metrics.interval.ms", Integer.parseInt(options.getOrDefault("metrics.interval.ms", "10000")));
        conf.put(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS,
            Integer.parseInt(options.getOrDefault("metrics.bucket.secs", "60")));
        if (options.containsKey("metrics.out")) {
            conf.registerMetricsConsumer(FileMetricsConsumer.class, options.get("metrics.out"), 1);
        }
        conf.put(RecordingBolt.FILE, required(options, "out"));
        conf.put(RecordingBolt.FAIL_EVERY, Integer.parseInt(options.getOrDefault("fail.every", "0")));
        conf.put(RecordingBolt.HOLD_EVERY, Integer.parseInt(options.getOrDefault("hold.every", "0")));
        return conf;
    }

    // The option's value; an IllegalArgumentException naming it when it is missing.
    static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing option " + key);
        }
        return value;
    }
}
