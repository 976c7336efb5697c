// A running topology's tuple counts per component, summed over its executors from Nimbus' stats.
package example;

import java.util.Map;
import java.util.TreeMap;

import org.apache.storm.LocalCluster;
import org.apache.storm.generated.ExecutorStats;
import org.apache.storm.generated.ExecutorSummary;
import org.apache.storm.generated.TopologyInfo;

// The counts are Storm's own (what its UI shows), all-time window, user streams only (not the
// "__" system streams): emitted, and acked and failed for spouts, plus executed for bolts. Storm
// samples them (topology.stats.sample.rate, 0.05 by default): exact only with a rate of 1.0.
// Executors report them with their heartbeats, so they lag a few seconds behind.
public final class ComponentCounts {
    private ComponentCounts() {
    }

    // "COMPONENT:emitted=N,executed=N,acked=N,failed=N ..." ("executed" for bolts only), sorted
    // by component; the empty string before the first executor reported.
    public static String of(LocalCluster cluster, String name) throws Exception {
        TopologyInfo info = cluster.getTopologyInfoByName(name);
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (ExecutorSummary executor : info.get_executors()) {
            String component = executor.get_component_id();
            ExecutorStats stats = executor.get_stats();
            if (component.startsWith("__") || stats == null) {
                continue;
            }
            Map<String, Long> sums = counts.computeIfAbsent(component, c -> new TreeMap<>());
            add(sums, "emitted", userStreams(stats.get_emitted().get(":all-time")));
            if (stats.get_specific().is_set_spout()) {
                add(sums, "acked", userStreams(stats.get_specific().get_spout().get_acked().get(":all-time")));
                add(sums, "failed", userStreams(stats.get_specific().get_spout().get_failed().get(":all-time")));
            } else {
                add(sums, "executed", sum(stats.get_specific().get_bolt().get_executed().get(":all-time")));
                add(sums, "acked", sum(stats.get_specific().get_bolt().get_acked().get(":all-time")));
                add(sums, "failed", sum(stats.get_specific().get_bolt().get_failed().get(":all-time")));
            }
        }
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Map<String, Long>> component : counts.entrySet()) {
            line.append(line.length() == 0 ? "" : " ").append(component.getKey()).append(':');
            String separator = "";
            for (Map.Entry<String, Long> count : component.getValue().entrySet()) {
                line.append(separator).append(count.getKey()).append('=').append(count.getValue());
                separator = ",";
            }
        }
        return line.toString();
    }

    private static long userStreams(Map<String, Long> byStream) {
        long total = 0;
        if (byStream != null) {
            for (Map.Entry<String, Long> stream : byStream.entrySet()) {
                if (!stream.getKey().startsWith("__")) {
                    total += stream.getValue();
                }
            }
        }
        return total;
    }

    private static <K> long sum(Map<K, Long> values) {
        long total = 0;
        if (values != null) {
            for (Long value : values.values()) {
                total += value;
            }
        }
        return total;
    }

    private static void add(Map<String, Long> sums, String key, long value) {
        sums.merge(key, value, Long::sum);
    }
}
