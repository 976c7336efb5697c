// Log text of a topic partition.
#include "spout/topic_partition.hpp"

namespace kspout::spout {

std::string to_string(topic_partition_ref tp)
{
    std::string out(tp.topic);
    out += '/';
    out += std::to_string(tp.partition);
    return out;
}

} // namespace kspout::spout
