// The example topology jar's resources/ directory as Storm unpacks it, for kspout-local-topology:
// the launchers of topology-examples and this build's kafka-spout, kafka-bolt and word count bolts.
#pragma once

#include <filesystem>

namespace kspout::testing {

// Fills `resources` (created if missing) and returns it. Needs KSPOUT_TOPOLOGY_EXAMPLES,
// KSPOUT_SPOUT_BIN, KSPOUT_BOLT_BIN, KSPOUT_WORDCOUNT_SPLIT_BIN and KSPOUT_WORDCOUNT_COUNT_BIN.
inline std::filesystem::path topology_resources(const std::filesystem::path& resources)
{
    namespace fs = std::filesystem;
    fs::create_directories(resources);
    const fs::path examples = KSPOUT_TOPOLOGY_EXAMPLES;
    for (const char* file : {"run-kafka-spout.sh", "run-kafka-bolt.sh", "run-wordcount-bolt.sh"}) {
        fs::copy_file(examples / file, resources / file, fs::copy_options::overwrite_existing);
    }
    for (const char* binary : {KSPOUT_SPOUT_BIN, KSPOUT_BOLT_BIN, KSPOUT_WORDCOUNT_SPLIT_BIN, KSPOUT_WORDCOUNT_COUNT_BIN}) {
        fs::copy_file(binary, resources / fs::path(binary).filename(), fs::copy_options::overwrite_existing);
    }
    return resources;
}

} // namespace kspout::testing
