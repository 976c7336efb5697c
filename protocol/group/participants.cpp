// The participant filter: payload equal to the topic, sorted bytewise.
#include "protocol/group/participants.hpp"

#include <algorithm>

namespace kspout::group {

std::vector<std::string> select_participants(std::span<const member_registration> members, std::string_view topic)
{
    std::vector<std::string> ids;
    for (const member_registration& member : members) {
        if (member.payload == topic)
            ids.push_back(member.consumer_id);
    }
    // std::string compares its chars as unsigned char, which is the bytewise order.
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

} // namespace kspout::group
