// Consumer protocol subscription and assignment codecs.
#include "protocol/group/consumer_protocol.hpp"

#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <algorithm>
#include <cassert>

namespace kspout::group {
namespace {

void write_nullable_bytes(wire::writer& w, const std::optional<wire::byte_buffer>& b)
{
    if (b) {
        w.bytes(*b);
    } else {
        w.nullable_bytes(std::nullopt);
    }
}

std::optional<wire::byte_buffer> read_nullable_bytes(wire::reader& r)
{
    auto b = r.nullable_bytes();
    if (!b) return std::nullopt;
    return wire::byte_buffer(b->begin(), b->end());
}

void write_topic_partitions(wire::writer& w, const std::vector<topic_partitions>& topics)
{
    w.array_length(topics.size());
    for (const topic_partitions& t : topics) {
        w.string(t.topic);
        w.array_length(t.partitions.size());
        for (std::int32_t p : t.partitions) w.int32(p);
    }
}

void read_topic_partitions(wire::reader& r, std::vector<topic_partitions>& out)
{
    std::size_t topics = r.array_length(6);
    out.clear();
    out.reserve(topics);
    for (std::size_t i = 0; i < topics && r.ok(); ++i) {
        topic_partitions& t = out.emplace_back();
        t.topic = std::string(r.string());
        std::size_t partitions = r.array_length(4);
        t.partitions.reserve(partitions);
        for (std::size_t k = 0; k < partitions && r.ok(); ++k) t.partitions.push_back(r.int32());
    }
}

std::optional<wire::decode_error> result(const wire::reader& r, std::string_view what)
{
    return r.error_in("consumer protocol " + std::string(what));
}

std::int16_t read_version(wire::reader& r)
{
    std::int16_t version = r.int16();
    if (r.ok() && version < 0) r.fail(wire::errc::bad_value);
    return version;
}

} // namespace

wire::byte_buffer encode(const consumer_subscription& s)
{
    assert(s.version >= 0 && s.version <= consumer_protocol_version);
    wire::writer w;
    w.int16(s.version);
    w.array_length(s.topics.size());
    for (const std::string& topic : s.topics) w.string(topic);
    write_nullable_bytes(w, s.user_data);
    if (s.version >= 1) write_topic_partitions(w, s.owned_partitions);
    if (s.version >= 2) w.int32(s.generation_id);
    if (s.version >= 3) w.nullable_string(s.rack_id ? std::optional<std::string_view>(*s.rack_id) : std::nullopt);
    return w.take();
}

wire::byte_buffer encode(const consumer_assignment& a)
{
    assert(a.version >= 0 && a.version <= consumer_protocol_version);
    wire::writer w;
    w.int16(a.version);
    write_topic_partitions(w, a.assigned_partitions);
    write_nullable_bytes(w, a.user_data);
    return w.take();
}

std::optional<wire::decode_error> decode(wire::bytes_view bytes, consumer_subscription& out)
{
    out = {};
    wire::reader r(bytes);
    out.version = read_version(r);
    std::size_t topics = r.array_length(2);
    out.topics.reserve(topics);
    for (std::size_t i = 0; i < topics && r.ok(); ++i) out.topics.emplace_back(r.string());
    out.user_data = read_nullable_bytes(r);
    if (out.version >= 1) read_topic_partitions(r, out.owned_partitions);
    if (out.version >= 2) out.generation_id = r.int32();
    if (out.version >= 3) {
        if (auto rack = r.nullable_string()) out.rack_id = std::string(*rack);
    }
    return result(r, "subscription");
}

std::optional<wire::decode_error> decode(wire::bytes_view bytes, consumer_assignment& out)
{
    out = {};
    if (bytes.empty()) return std::nullopt;
    wire::reader r(bytes);
    out.version = read_version(r);
    read_topic_partitions(r, out.assigned_partitions);
    out.user_data = read_nullable_bytes(r);
    return result(r, "assignment");
}

} // namespace kspout::group
