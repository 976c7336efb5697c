// Which registered group members take part in a topic's assignment, in pykafka's order.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::group {

// One child of /consumers/<group>/ids and the payload read from it.
struct member_registration {
    std::string consumer_id;
    std::string payload; // pykafka writes the raw topic name
};

// The ids whose payload is exactly the topic name's bytes, sorted as byte strings (as pykafka
// sorts its bytes ids), without duplicates. Members of the group consuming another topic, and
// registrations in another format (the Scala consumer's JSON), are left out, as pykafka does.
std::vector<std::string> select_participants(std::span<const member_registration> members, std::string_view topic);

} // namespace kspout::group
