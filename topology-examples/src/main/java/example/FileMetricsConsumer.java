// A Storm metrics consumer that appends every data point it receives to a file, one line each.
package example;

import java.util.Collection;
import java.util.Map;

import org.apache.storm.metric.api.IMetricsConsumer;
import org.apache.storm.task.IErrorReporter;
import org.apache.storm.task.TopologyContext;

// Registered with Config.registerMetricsConsumer(FileMetricsConsumer.class, FILE, 1). Each line
// is "component task timestamp-secs name value" (value "null" for a gauge not set yet); only data
// points whose name starts with "kafka-spout." are written, Storm's built-in ones are dropped.
public class FileMetricsConsumer implements IMetricsConsumer {
    public static final String PREFIX = "kafka-spout.";
    private LineFile out;

    @Override
    public void prepare(Map<String, Object> topoConf, Object registrationArgument, TopologyContext context,
                        IErrorReporter errorReporter) {
        out = new LineFile((String) registrationArgument);
    }

    @Override
    public void handleDataPoints(TaskInfo task, Collection<DataPoint> dataPoints) {
        StringBuilder lines = new StringBuilder();
        for (DataPoint point : dataPoints) {
            if (point.name.startsWith(PREFIX)) {
                lines.append(task.srcComponentId).append(' ').append(task.srcTaskId).append(' ')
                    .append(task.timestamp).append(' ').append(point.name).append(' ').append(point.value).append('\n');
            }
        }
        if (lines.length() == 0) {
            return;
        }
        out.append(lines.toString()); // one write: whole lines only
    }

    @Override
    public void cleanup() {
        out.close();
    }
}
