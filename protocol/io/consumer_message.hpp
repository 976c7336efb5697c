// One message as a consumer hands it out: views of its topic, key, value and headers.
#pragma once

#include "protocol/records/records.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace kspout::io {

// One message handed out by poll(). Its views point into buffers the consumer keeps until the
// next poll(), seek() or revoke() (see simple_consumer::poll).
struct consumer_message {
    std::string_view topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int64_t timestamp = -1;
    records::timestamp_type timestamp_type = records::timestamp_type::create_time;
    std::optional<wire::bytes_view> key;
    std::optional<wire::bytes_view> value;
    std::span<const records::header> headers;
};

// The message as a records::record (its headers stay with the message: first_header is 0).
inline records::record as_record(const consumer_message& m)
{
    records::record r;
    r.offset = m.offset;
    r.timestamp = m.timestamp;
    r.ts_type = m.timestamp_type;
    r.key = m.key;
    r.value = m.value;
    r.header_count = static_cast<std::uint32_t>(m.headers.size());
    return r;
}

} // namespace kspout::io
