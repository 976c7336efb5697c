// A (topic, partition) key, owning or borrowed, ordered so maps can look it up without copying.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace kspout::spout {

struct topic_partition_ref {
    std::string_view topic;
    std::int32_t partition = 0;

    friend auto operator<=>(const topic_partition_ref&, const topic_partition_ref&) = default;
};

struct topic_partition {
    std::string topic;
    std::int32_t partition = 0;

    topic_partition_ref ref() const { return {topic, partition}; }
    friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

// Transparent ordering for std::map<topic_partition, T, topic_partition_less>, so a lookup by a
// topic_partition_ref parsed out of a message id allocates nothing.
struct topic_partition_less {
    using is_transparent = void;

    static topic_partition_ref as_ref(const topic_partition& tp) { return tp.ref(); }
    static topic_partition_ref as_ref(const topic_partition_ref& tp) { return tp; }

    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const
    {
        return as_ref(a) < as_ref(b);
    }
};

// "topic/partition", for log lines.
std::string to_string(topic_partition_ref tp);

} // namespace kspout::spout
