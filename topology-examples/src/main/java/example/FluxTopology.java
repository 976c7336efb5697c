// A Flux YAML file built into a topology and its config the way Flux's main does, for a LocalCluster.
package example;

import java.util.Map;
import java.util.Properties;

import org.apache.storm.Config;
import org.apache.storm.flux.FluxBuilder;
import org.apache.storm.flux.model.ExecutionContext;
import org.apache.storm.flux.model.TopologyDef;
import org.apache.storm.flux.parser.FluxParser;
import org.apache.storm.generated.StormTopology;

// Storm 2.x ignores `Flux --local` (local mode is `storm local`, which runs Flux's main inside a
// LocalCluster); this does the same steps as that main: parse with property substitution (the
// properties --filter would read from a file), build the config, then the topology.
public final class FluxTopology {
    private final Config config;
    private final StormTopology topology;

    private FluxTopology(Config config, StormTopology topology) {
        this.config = config;
        this.topology = topology;
    }

    public static FluxTopology load(String file, Properties properties) throws Exception {
        TopologyDef definition = FluxParser.parseFile(file, false, true, properties, false);
        if (!definition.validate()) {
            throw new IllegalArgumentException("invalid Flux topology in " + file);
        }
        Config config = FluxBuilder.buildConfig(definition);
        StormTopology topology = FluxBuilder.buildTopology(new ExecutionContext(definition, config));
        return new FluxTopology(config, topology);
    }

    public Map<String, Object> config() {
        return config;
    }

    public StormTopology topology() {
        return topology;
    }
}
