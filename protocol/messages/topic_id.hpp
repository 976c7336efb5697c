// Kafka's topic id: a 16-byte uuid on the wire (KIP-516), named by id where newer APIs leave out topic names.
#pragma once

#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <array>
#include <cstdint>

namespace kspout::messages {

using topic_id = std::array<std::uint8_t, 16>;

// All zero: Kafka's Uuid.ZERO_UUID, "no id".
inline constexpr topic_id zero_topic_id{};

inline void write_topic_id(wire::writer& w, const topic_id& id)
{
    w.raw(id);
}

inline topic_id read_topic_id(wire::reader& r)
{
    topic_id id{};
    wire::bytes_view b = r.raw(id.size());
    if (r.ok()) std::copy(b.begin(), b.end(), id.begin());
    return id;
}

} // namespace kspout::messages
