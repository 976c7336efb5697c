// Building and parsing the znode paths of pykafka's group layout.
#include "protocol/group/paths.hpp"

#include <charconv>

namespace kspout::group {
namespace {

std::string join(std::initializer_list<std::string_view> parts)
{
    std::size_t size = 0;
    for (std::string_view part : parts)
        size += part.size() + 1;
    std::string path;
    path.reserve(size);
    for (std::string_view part : parts) {
        path += '/';
        path += part;
    }
    return path;
}

template <typename Int>
bool parse_whole(std::string_view text, Int& out)
{
    if (text.empty())
        return false;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc{} && ptr == end;
}

} // namespace

std::string group_path(std::string_view group)
{
    return join({"consumers", group});
}

std::string ids_path(std::string_view group)
{
    return join({"consumers", group, "ids"});
}

std::string member_path(std::string_view group, std::string_view consumer_id)
{
    return join({"consumers", group, "ids", consumer_id});
}

std::string owners_dir_name(std::string_view topic, owners_dir_style style)
{
    if (style == owners_dir_style::plain)
        return std::string(topic);
    // repr() of a bytes object; Kafka topic names ([a-zA-Z0-9._-]) need no escaping in it.
    std::string name = "b'";
    name += topic;
    name += '\'';
    return name;
}

std::string owners_path(std::string_view group, std::string_view topic, owners_dir_style style)
{
    return join({"consumers", group, "owners", owners_dir_name(topic, style)});
}

std::string owner_node_name(std::int32_t leader, std::int32_t partition)
{
    return std::to_string(leader) + "-" + std::to_string(partition);
}

std::string owner_path(std::string_view group, std::string_view topic, std::int32_t leader, std::int32_t partition,
                       owners_dir_style style)
{
    return join({"consumers", group, "owners", owners_dir_name(topic, style), owner_node_name(leader, partition)});
}

bool is_valid_node_name(std::string_view name)
{
    if (name.empty() || name == "." || name == "..")
        return false;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (c == '/' || u < 0x20 || u == 0x7f)
            return false;
    }
    return true;
}

std::optional<owner_node> parse_owner_node_name(std::string_view name)
{
    std::size_t dash = name.rfind('-');
    if (dash == std::string_view::npos)
        return std::nullopt;
    owner_node node;
    if (!parse_whole(name.substr(0, dash), node.leader) || !parse_whole(name.substr(dash + 1), node.partition))
        return std::nullopt;
    if (node.partition < 0)
        return std::nullopt;
    return node;
}

std::vector<std::string> claims_for_partition(std::span<const std::string> owner_children, std::int32_t partition)
{
    std::vector<std::string> claims;
    for (const std::string& child : owner_children) {
        std::optional<owner_node> node = parse_owner_node_name(child);
        if (node && node->partition == partition)
            claims.push_back(child);
    }
    return claims;
}

} // namespace kspout::group
