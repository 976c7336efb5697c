// What the example topology's RecordingBolt wrote, and the consumer group's znodes, for the storm tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kspout::testing {

// One line of RecordingBolt's file: "topic partition offset source-task outcome".
struct bolt_record {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    int source_task = 0;
    std::string outcome; // acked, failed or held
};

using partition_offset = std::pair<std::int32_t, std::int64_t>;

// Every complete line of the file so far (none when it does not exist yet).
std::vector<bolt_record> read_bolt_records(const std::filesystem::path& file);

// The (partition, offset) pairs with the given outcome.
std::set<partition_offset> with_outcome(const std::vector<bolt_record>& records, const std::string& outcome);

// Every (partition, offset) below the end offsets, from 0: all the records of a fresh topic.
std::set<partition_offset> all_offsets(const std::map<std::int32_t, std::int64_t>& end_offsets);

// The consumer group's members and partition owners in ZooKeeper (pykafka's layout), read with
// kazoo: ids under /consumers/GROUP/ids, and the owner of each partition of `topic`
// (owners/TOPIC/LEADER-PARTITION).
struct group_znodes {
    std::vector<std::string> members;
    std::map<std::int32_t, std::string> owners;
};
group_znodes read_group_znodes(const std::string& zookeeper_connect, const std::string& group,
                               const std::string& topic);

} // namespace kspout::testing
