// Choosing a partition for a record: Java-compatible murmur2 for keys, round-robin or sticky otherwise.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kspout::io {

// Kafka's murmur2 (the Java client's Utils.murmur2, seed 0x9747b28c), as a signed 32-bit value.
std::int32_t murmur2(wire::bytes_view data) noexcept;

// The Java DefaultPartitioner's choice for a keyed record: (murmur2(key) & 0x7fffffff) % count.
// partition_count must be positive.
std::int32_t partition_for_key(wire::bytes_view key, std::int32_t partition_count) noexcept;

enum class null_key_partitioning {
    round_robin, // each record without a key goes to the next partition
    sticky,      // records without a key stay on one partition until a batch for it is formed
};

// Chooses partitions for records that name none. Keyed records always hash; records without a
// key cycle through the partitions that have a leader (all partitions if none has one).
class partitioner {
public:
    explicit partitioner(null_key_partitioning mode = null_key_partitioning::round_robin) : mode_(mode) {}
    partitioner(const partitioner&) = delete; // last_ points into topics_
    partitioner& operator=(const partitioner&) = delete;

    // available: the partitions with a leader, in ascending order (may be empty).
    std::int32_t choose(std::string_view topic, std::optional<wire::bytes_view> key, std::int32_t partition_count,
                        std::span<const std::int32_t> available);

    // A batch for this partition was formed: a sticky topic moves on to another partition.
    void batch_formed(std::string_view topic, std::int32_t partition);

private:
    struct topic_state {
        std::uint32_t next = 0;
        std::int32_t sticky = -1;
    };

    using topic_map = std::map<std::string, topic_state, std::less<>>;

    topic_map::iterator find_or_add(std::string_view topic);
    std::int32_t next_partition(topic_state& t, std::int32_t partition_count, std::span<const std::int32_t> available);

    null_key_partitioning mode_;
    topic_map topics_;
    topic_map::iterator last_ = topics_.end(); // most records go where the last one went
};

} // namespace kspout::io
