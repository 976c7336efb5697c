// Helpers for the consumer unit tests: record batches made with our writer, wrapped as Fetch results.
#pragma once

#include "protocol/io/connection.hpp"
#include "protocol/records/records_writer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace kspout::io::consumer_test {

struct kv {
    std::string key;
    std::string value;
};

// One v2 batch at base_offset holding `records`; producer_id >= 0 makes it transactional.
inline wire::byte_buffer batch(std::int64_t base_offset, const std::vector<kv>& records, std::int64_t producer_id = -1)
{
    std::vector<records::record_to_write> in;
    for (const auto& r : records) {
        records::record_to_write w;
        w.key = wire::as_bytes(r.key);
        w.value = wire::as_bytes(r.value);
        w.timestamp = 1700000000000 + base_offset;
        in.push_back(w);
    }
    records::write_options o;
    o.base_offset = base_offset;
    if (producer_id >= 0) {
        o.producer_id = producer_id;
        o.producer_epoch = 0;
        o.base_sequence = 0;
        o.transactional = true;
    }
    return records::write_records(in, o);
}

// `count` records "k<offset>" / "v<offset>" from base_offset.
inline wire::byte_buffer numbered_batch(std::int64_t base_offset, int count)
{
    std::vector<kv> records;
    for (int i = 0; i < count; ++i) {
        auto offset = std::to_string(base_offset + i);
        records.push_back({"k" + offset, "v" + offset});
    }
    return batch(base_offset, records);
}

// A response frame owning `blob`, as the connection hands it out.
inline response_frame frame_of(wire::byte_buffer blob)
{
    return {std::make_shared<const wire::byte_buffer>(std::move(blob)), 0};
}

inline std::string text(const std::optional<wire::bytes_view>& b)
{
    return b ? std::string(wire::as_text(*b)) : std::string("<null>");
}

} // namespace kspout::io::consumer_test
