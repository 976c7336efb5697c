// murmur2 as the Java client computes it, and the round-robin / sticky choice for records without a key.
#include "protocol/io/partitioner.hpp"

#include <algorithm>

namespace kspout::io {

std::int32_t murmur2(wire::bytes_view data) noexcept
{
    // Unsigned arithmetic wraps exactly like Java's int; >> on uint32_t is Java's >>>.
    constexpr std::uint32_t seed = 0x9747b28c;
    constexpr std::uint32_t m = 0x5bd1e995;
    constexpr int r = 24;
    const std::size_t length = data.size();
    std::uint32_t h = seed ^ static_cast<std::uint32_t>(length);

    const std::size_t blocks = length / 4;
    for (std::size_t i = 0; i < blocks; ++i) {
        const std::uint8_t* p = data.data() + i * 4;
        std::uint32_t k = static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                          static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }

    const std::uint8_t* tail = data.data() + blocks * 4;
    switch (length % 4) {
    case 3: h ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
        h ^= tail[0];
        h *= m;
    }

    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<std::int32_t>(h);
}

std::int32_t partition_for_key(wire::bytes_view key, std::int32_t partition_count) noexcept
{
    auto positive = static_cast<std::int32_t>(static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffu);
    return positive % partition_count;
}

std::int32_t partitioner::next_partition(std::int32_t partition_count, std::span<const std::int32_t> available)
{
    std::uint32_t turn = next_++;
    if (!available.empty()) return available[turn % available.size()];
    return static_cast<std::int32_t>(turn % static_cast<std::uint32_t>(partition_count));
}

std::int32_t partitioner::choose(std::optional<wire::bytes_view> key, std::int32_t partition_count,
                                 std::span<const std::int32_t> available)
{
    if (key) return partition_for_key(*key, partition_count);
    if (mode_ == null_key_partitioning::round_robin) return next_partition(partition_count, available);

    bool still_usable = sticky_ >= 0 && sticky_ < partition_count &&
                        (available.empty() || std::binary_search(available.begin(), available.end(), sticky_));
    if (!still_usable) sticky_ = next_partition(partition_count, available);
    return sticky_;
}

void partitioner::batch_formed(std::int32_t partition)
{
    if (sticky_ == partition) sticky_ = -1;
}

} // namespace kspout::io
