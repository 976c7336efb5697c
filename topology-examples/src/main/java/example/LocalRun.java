// One Storm LocalCluster that runs example topologies on command, one command per stdin line.
package example;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.storm.Config;
import org.apache.storm.LocalCluster;
import org.apache.storm.generated.KillOptions;
import org.apache.storm.generated.TopologySummary;

// usage: LocalRun ZOOKEEPER_HOST:PORT [ROOT]
// The cluster keeps its state in that ZooKeeper, under ROOT (default /storm), instead of an
// in-process one. A cluster whose JVM died leaves its Nimbus leadership there until its session
// expires, so a cluster started after it needs a root of its own.
// Commands, answered on stdout with one line each ("error MESSAGE" when one fails):
//   submit NAME key=value...  -> "submitted NAME" (keys: see ExampleTopology)
//   wordcount NAME key=value... -> "submitted NAME": WordCountTopology (keys: see there)
//   flux NAME FILE key=value... -> "submitted NAME": the Flux YAML FILE, its ${key} placeholders
//                                  replaced by the values (what Flux's --filter does with a
//                                  properties file), built by Flux and submitted under NAME;
//                                  key=value pairs after a "--set" override the file's config
//   counts NAME               -> "counts COMPONENT:emitted=N,... ..." (see ComponentCounts)
//   kill NAME                 -> "killed NAME", once the topology and its workers are gone
// At the end of stdin the cluster shuts down and the JVM exits 0. Storm logs to stderr.
public final class LocalRun {
    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        String[] zookeeper = args[0].split(":");
        Map<String, Object> daemonConf = new HashMap<>();
        daemonConf.put(Config.STORM_ZOOKEEPER_SERVERS, List.of(zookeeper[0]));
        daemonConf.put(Config.STORM_ZOOKEEPER_PORT, Integer.parseInt(zookeeper[1]));
        daemonConf.put(Config.STORM_ZOOKEEPER_ROOT, args.length > 1 ? args[1] : "/storm");
        // LocalCluster turns message timeouts off unless told otherwise; the tests need them.
        daemonConf.put(Config.TOPOLOGY_ENABLE_MESSAGE_TIMEOUTS, true);
        // Executors send their stats (the counts that "counts" reports) every second, not every 60 s.
        daemonConf.put("executor.metrics.frequency.secs", 1);
        try (LocalCluster cluster = new LocalCluster.Builder().withDaemonConf(daemonConf).build()) {
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                System.out.println(run(cluster, line.trim().split("\\s+")));
                System.out.flush();
            }
        }
        System.exit(0); // Storm leaves non-daemon threads behind
    }

    private static String run(LocalCluster cluster, String[] words) {
        try {
            if (words[0].equals("submit") && words.length >= 2) {
                Map<String, String> options = options(words, 2);
                cluster.submitTopology(words[1], ExampleTopology.config(options), ExampleTopology.build(options));
                return "submitted " + words[1];
            }
            if (words[0].equals("wordcount") && words.length >= 2) {
                Map<String, String> options = options(words, 2);
                cluster.submitTopology(words[1], WordCountTopology.config(options), WordCountTopology.build(options));
                return "submitted " + words[1];
            }
            if (words[0].equals("flux") && words.length >= 3) {
                Properties properties = new Properties();
                Map<String, Object> overrides = new HashMap<>();
                boolean set = false;
                for (int i = 3; i < words.length; i++) {
                    if (words[i].equals("--set")) {
                        set = true;
                        continue;
                    }
                    int eq = words[i].indexOf('=');
                    String key = words[i].substring(0, eq);
                    String value = words[i].substring(eq + 1);
                    if (set) {
                        overrides.put(key, typed(value));
                    } else {
                        properties.setProperty(key, value);
                    }
                }
                FluxTopology flux = FluxTopology.load(words[2], properties);
                Map<String, Object> conf = new HashMap<>(flux.config());
                conf.putAll(overrides);
                cluster.submitTopology(words[1], conf, flux.topology());
                return "submitted " + words[1];
            }
            if (words[0].equals("counts") && words.length == 2) {
                return "counts " + ComponentCounts.of(cluster, words[1]);
            }
            if (words[0].equals("kill") && words.length == 2) {
                KillOptions now = new KillOptions();
                now.set_wait_secs(0);
                cluster.killTopologyWithOpts(words[1], now);
                while (running(cluster, words[1])) {
                    Thread.sleep(100); // polling Nimbus until the kill is done
                }
                return "killed " + words[1];
            }
            return "error unknown command: " + String.join(" ", words);
        } catch (Exception e) {
            return "error " + e.toString().replace('\n', ' ');
        }
    }

    // The key=value words from `first` on.
    private static Map<String, String> options(String[] words, int first) {
        Map<String, String> options = new HashMap<>();
        for (int i = first; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            options.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        return options;
    }

    // A --set value as YAML would type it: integers, decimals and booleans, else the string.
    private static Object typed(String value) {
        if (value.matches("-?[0-9]+")) {
            return Long.parseLong(value);
        }
        if (value.matches("-?[0-9]+\\.[0-9]+")) {
            return Double.parseDouble(value);
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        return value;
    }

    private static boolean running(LocalCluster cluster, String name) throws Exception {
        for (TopologySummary topology : cluster.getClusterInfo().get_topologies()) {
            if (topology.get_name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
