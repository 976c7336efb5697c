// One run of the Storm benchmark: a spout of one kind -> a counting bolt in a LocalCluster, timed in steady state.
package bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.storm.Config;
import org.apache.storm.LocalCluster;
import org.apache.storm.kafka.spout.FirstPollOffsetStrategy;
import org.apache.storm.kafka.spout.KafkaSpout;
import org.apache.storm.kafka.spout.KafkaSpoutConfig;
import org.apache.storm.spout.ShellSpout;
import org.apache.storm.task.OutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.IRichSpout;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.topology.TopologyBuilder;
import org.apache.storm.topology.base.BaseRichBolt;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Tuple;

import example.KafkaShellSpout;

// usage: StormBench KIND PARALLELISM MESSAGES ACKERS BOOTSTRAP TOPIC GROUP [COMMAND...]
//   KIND: kafka-spout (KafkaShellSpout from the topology jar, static assignment), jvm
//   (storm-kafka-client's KafkaSpout), shell (a ShellSpout running COMMAND: the trivial C++ spout,
//   the pystorm spout); ACKERS: on (one acker) or off (topology.acker.executors 0).
// The clock starts once a twentieth of MESSAGES were counted (the topology is up, the spouts
// are past their start) and stops at MESSAGES. Prints one JSON line: tuples and seconds of that
// window, the JVM's CPU seconds in it (LocalCluster runs Nimbus, the supervisor and the worker in
// this one JVM), and the CPU seconds of this JVM's child processes (the ShellSpout subprocesses).
public final class StormBench {
    static final AtomicLong COUNTED = new AtomicLong();

    private StormBench() {
    }

    // Counts every tuple and acks it; the count is read by main() in the same JVM.
    public static class CountingBolt extends BaseRichBolt {
        private OutputCollector collector;

        @Override
        public void prepare(Map<String, Object> conf, TopologyContext context, OutputCollector collector) {
            this.collector = collector;
        }

        @Override
        public void execute(Tuple tuple) {
            COUNTED.incrementAndGet();
            collector.ack(tuple);
        }

        @Override
        public void declareOutputFields(OutputFieldsDeclarer declarer) {
        }
    }

    // A ShellSpout running any command, with kafka-spout's output fields.
    public static class CommandShellSpout extends ShellSpout implements IRichSpout {
        public CommandShellSpout(String... command) {
            super(command);
        }

        @Override
        public void declareOutputFields(OutputFieldsDeclarer declarer) {
            declarer.declare(new Fields("topic", "partition", "offset", "key", "value"));
        }

        @Override
        public Map<String, Object> getComponentConfiguration() {
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int parallelism = Integer.parseInt(args[1]);
        long messages = Long.parseLong(args[2]);
        boolean ackers = args[3].equals("on");
        String bootstrap = args[4];
        String topic = args[5];
        String group = args[6];
        String[] command = java.util.Arrays.copyOfRange(args, 7, args.length);

        TopologyBuilder builder = new TopologyBuilder();
        IRichSpout spout = switch (kind) {
            case "kafka-spout" -> new KafkaShellSpout(topic, group, bootstrap);
            case "jvm" -> new KafkaSpout<>(KafkaSpoutConfig.builder(bootstrap, topic)
                .setProp(ConsumerConfig.GROUP_ID_CONFIG, group)
                .setFirstPollOffsetStrategy(FirstPollOffsetStrategy.EARLIEST)
                .setProcessingGuarantee(KafkaSpoutConfig.ProcessingGuarantee.AT_LEAST_ONCE)
                .build());
            case "shell" -> new CommandShellSpout(command);
            default -> throw new IllegalArgumentException("unknown spout kind " + kind);
        };
        builder.setSpout("spout", spout, parallelism);
        builder.setBolt("count", new CountingBolt(), 1).shuffleGrouping("spout");

        Config conf = new Config();
        conf.setNumWorkers(1);
        conf.setNumAckers(ackers ? 1 : 0);
        conf.setMaxSpoutPending(1000);
        conf.setMessageTimeoutSecs(60);
        conf.put(Config.TOPOLOGY_SUBPROCESS_TIMEOUT_SECS, 60);
        conf.put("kafka.bootstrap.servers", bootstrap);
        conf.put("kafka.topic", topic);
        conf.put("kafka.group.id", group);
        conf.put("kafka.spout.assignment", "static");
        conf.put("kafka.auto.offset.reset", "earliest");
        conf.put("kafka.spout.batch.size", 100);
        conf.put("kafka.spout.stats.interval.ms", 0);

        long warmup = Math.max(1, messages / 20);
        try (LocalCluster cluster = new LocalCluster()) {
            cluster.submitTopology("bench", conf, builder.createTopology());
            waitFor(warmup);
            long startNanos = System.nanoTime();
            long startCount = COUNTED.get();
            double startCpu = jvmCpuSeconds();
            double startChildren = childCpuSeconds();
            waitFor(messages);
            long endNanos = System.nanoTime();
            long endCount = COUNTED.get();
            double cpu = jvmCpuSeconds() - startCpu;
            double children = childCpuSeconds() - startChildren;
            System.out.printf("{\"tuples\": %d, \"seconds\": %.6f, \"jvm_cpu_seconds\": %.6f, "
                + "\"spout_process_cpu_seconds\": %.6f}%n", endCount - startCount,
                (endNanos - startNanos) / 1e9, cpu, children);
            System.out.flush();
        }
        System.exit(0); // Storm leaves non-daemon threads behind
    }

    private static void waitFor(long count) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (COUNTED.get() < count) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("only " + COUNTED.get() + " of " + count + " tuples counted");
            }
            Thread.sleep(5); // sampling a counter, not synchronising
        }
    }

    private static double jvmCpuSeconds() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime() / 1e9;
    }

    private static double childCpuSeconds() {
        return ProcessHandle.current().descendants()
            .map(p -> p.info().totalCpuDuration())
            .flatMap(Optional::stream)
            .mapToDouble(d -> d.toNanos() / 1e9)
            .sum();
    }
}
