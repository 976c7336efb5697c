// A bolt that appends one line per tuple it gets to a file, then acks, fails or holds the tuple.
package example;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.storm.task.OutputCollector;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.OutputFieldsDeclarer;
import org.apache.storm.topology.base.BaseRichBolt;
import org.apache.storm.tuple.Tuple;
import org.apache.storm.utils.ObjectReader;

// Each line is "topic partition offset source-task outcome", outcome being acked, failed or held.
// The line is written before the tuple is answered, so a committed offset always has its line.
public class RecordingBolt extends BaseRichBolt {
    public static final String FILE = "recorder.file";             // where the lines go (appended)
    public static final String FAIL_EVERY = "recorder.fail.every"; // fail every Nth tuple received (0: never)
    public static final String HOLD_EVERY = "recorder.hold.every"; // leave every Nth tuple unanswered the first
                                                                   // time it comes, so it times out (0: never)
    private OutputCollector collector;
    private LineFile out;
    private long failEvery;
    private long holdEvery;
    private long received = 0;
    private final Set<String> held = new HashSet<>();

    @Override
    public void prepare(Map<String, Object> conf, TopologyContext context, OutputCollector collector) {
        this.collector = collector;
        this.failEvery = ObjectReader.getInt(conf.get(FAIL_EVERY), 0);
        this.holdEvery = ObjectReader.getInt(conf.get(HOLD_EVERY), 0);
        this.out = new LineFile(ObjectReader.getString(conf.get(FILE)));
    }

    @Override
    public void execute(Tuple tuple) {
        received += 1;
        String record = tuple.getStringByField("topic") + " " + tuple.getValueByField("partition") + " "
            + tuple.getValueByField("offset");
        if (failEvery > 0 && received % failEvery == 0) {
            write(record, tuple, "failed");
            collector.fail(tuple);
        } else if (holdEvery > 0 && received % holdEvery == 0 && held.add(record)) {
            write(record, tuple, "held");
        } else {
            write(record, tuple, "acked");
            collector.ack(tuple);
        }
    }

    private void write(String record, Tuple tuple, String outcome) {
        out.append(record + " " + tuple.getSourceTask() + " " + outcome + "\n");
    }

    @Override
    public void cleanup() {
        out.close();
    }

    @Override
    public void declareOutputFields(OutputFieldsDeclarer declarer) {
        // records only, emits nothing
    }
}
