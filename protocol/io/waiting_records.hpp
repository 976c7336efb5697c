// Records that wait whole for their topic's metadata: their bytes in one buffer, a compact entry each.
#pragma once

#include "protocol/io/produce_batch.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::io {

// What produce() got for records whose partition cannot be chosen before the topic's metadata is
// known, in produce() order. Keys and values are copied into one buffer rather than a string each:
// a producer started with a burst of records holds them all here for a round trip.
class waiting_records {
public:
    using clock = std::chrono::steady_clock;

    struct entry {
        std::int64_t timestamp = -1;
        std::optional<std::int32_t> partition;
        record_receipt receipt;
        clock::time_point enqueued;
        std::size_t size = 0; // estimated_size()
        std::vector<record_header> headers;
        std::size_t at = 0;          // the key's first byte in the buffer, the value's after it
        std::int32_t key_size = -1;  // -1: null
        std::int32_t value_size = -1;
    };

    void push(std::optional<std::string_view> key, std::optional<std::string_view> value,
              std::vector<record_header> headers, std::int64_t timestamp, std::optional<std::int32_t> partition,
              record_receipt receipt, clock::time_point enqueued, std::size_t size)
    {
        entry e{timestamp, partition, std::move(receipt), enqueued, size, std::move(headers), bytes_.size()};
        if (key) {
            e.key_size = static_cast<std::int32_t>(key->size());
            bytes_.append(*key);
        }
        if (value) {
            e.value_size = static_cast<std::int32_t>(value->size());
            bytes_.append(*value);
        }
        entries_.push_back(std::move(e));
    }

    // Views into the buffer: valid until the next push() or clear().
    std::optional<std::string_view> key(const entry& e) const { return view(e.at, e.key_size); }
    std::optional<std::string_view> value(const entry& e) const
    {
        return view(e.at + static_cast<std::size_t>(std::max(e.key_size, 0)), e.value_size);
    }

    bool empty() const noexcept { return first_ == entries_.size(); }
    std::span<entry> entries() noexcept { return std::span(entries_).subspan(first_); }
    const entry& front() const { return entries_[first_]; }
    void pop_front()
    {
        if (++first_ == entries_.size()) clear();
    }
    // Gives the memory back: this holds records only while a topic's metadata is awaited.
    void clear()
    {
        std::vector<entry>().swap(entries_);
        std::string().swap(bytes_);
        first_ = 0;
    }

private:
    std::optional<std::string_view> view(std::size_t at, std::int32_t size) const
    {
        if (size < 0) return std::nullopt;
        return std::string_view(bytes_).substr(at, static_cast<std::size_t>(size));
    }

    std::vector<entry> entries_;
    std::size_t first_ = 0; // entries before it are gone (expired)
    std::string bytes_;
};

} // namespace kspout::io
