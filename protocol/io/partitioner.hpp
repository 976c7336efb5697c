// Choosing a partition for a record: Java-compatible murmur2 for keys, round-robin or sticky otherwise.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
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

// Chooses partitions for the records of one topic that name none. Keyed records always hash;
// records without a key cycle through the partitions that have a leader (all partitions if none
// has one).
class partitioner {
public:
    explicit partitioner(null_key_partitioning mode = null_key_partitioning::round_robin) : mode_(mode) {}

    // available: the partitions with a leader, in ascending order (may be empty).
    std::int32_t choose(std::optional<wire::bytes_view> key, std::int32_t partition_count,
                        std::span<const std::int32_t> available);

    // A batch for this partition was formed: a sticky topic moves on to another partition.
    void batch_formed(std::int32_t partition);

private:
    std::int32_t next_partition(std::int32_t partition_count, std::span<const std::int32_t> available);

    null_key_partitioning mode_;
    std::uint32_t next_ = 0;
    std::int32_t sticky_ = -1;
};

} // namespace kspout::io
