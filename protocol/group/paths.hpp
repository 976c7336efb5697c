// pykafka's znode layout for a consumer group: member ids, the owners directory, owner node names.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::group {

// /consumers/<group>/ids/<consumer_id>           ephemeral, payload: the raw topic name bytes
// /consumers/<group>/owners/<topic>              persistent, empty
// /consumers/<group>/owners/<topic>/<leader>-<p> ephemeral, payload: the owner's consumer id
// All paths are relative to the chroot of the connect string, if any. Names are used as given;
// check them with is_valid_node_name first.

// How the owners directory of a topic is spelled. pykafka under Python 3 formats the topic's
// bytes object into the path, which gives "b'<topic>'" (pykafka issue #888, never fixed); under
// Python 2 it is the plain name. Members of one group must agree, or they do not see each
// other's claims.
enum class owners_dir_style { plain, python3_bytes_repr };

std::string group_path(std::string_view group);
std::string ids_path(std::string_view group);
std::string member_path(std::string_view group, std::string_view consumer_id);
std::string owners_dir_name(std::string_view topic, owners_dir_style style = owners_dir_style::plain);
std::string owners_path(std::string_view group, std::string_view topic,
                        owners_dir_style style = owners_dir_style::plain);
std::string owner_node_name(std::int32_t leader, std::int32_t partition);
std::string owner_path(std::string_view group, std::string_view topic, std::int32_t leader, std::int32_t partition,
                       owners_dir_style style = owners_dir_style::plain);

// A name ZooKeeper accepts as one path component: not empty, not "." or "..", no '/', no
// control characters.
bool is_valid_node_name(std::string_view name);

struct owner_node {
    std::int32_t leader = -1;
    std::int32_t partition = -1;

    friend bool operator==(const owner_node&, const owner_node&) = default;
};

// "<leader>-<partition>" back into numbers; the partition is the field after the last '-', so a
// leader of -1 ("-1-3") parses too. Anything else, partition ids below 0 included, gives nullopt.
std::optional<owner_node> parse_owner_node_name(std::string_view name);

// The children of an owners directory that claim `partition`, under whichever leader prefix.
std::vector<std::string> claims_for_partition(std::span<const std::string> owner_children, std::int32_t partition);

} // namespace kspout::group
