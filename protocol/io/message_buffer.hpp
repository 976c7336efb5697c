// A partition's buffered messages: decoded fetch results kept alive with the response bytes they view.
#pragma once

#include "protocol/io/connection.hpp"
#include "protocol/io/consumer_message.hpp"
#include "protocol/records/records.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kspout::io {

// A decoded fetch result with the response buffer its views point into (the record set owns
// the decompressed data the other views point into).
struct buffered_chunk {
    response_frame frame;
    std::unique_ptr<records::record_set> set;
    std::size_t next = 0; // the first record not yet handed out
};

// What a record costs in the buffer bound: its key, value and header bytes.
std::size_t record_bytes(const records::record_set& set, const records::record& r);

class message_buffer {
public:
    // Appends a decoded result; records must be in offset order and follow what is buffered.
    void push(response_frame frame, std::unique_ptr<records::record_set> set);

    bool empty() const noexcept { return messages_ == 0; }
    std::size_t messages() const noexcept { return messages_; }
    std::size_t bytes() const noexcept { return bytes_; }
    // The offset of the first buffered message.
    std::optional<std::int64_t> front_offset() const;

    // Moves up to max messages into out. Chunks fully handed out move to `lent`, so the views
    // stay valid until the caller drops `lent`; a partly handed-out chunk stays here.
    std::size_t take(std::size_t max, std::string_view topic, std::int32_t partition,
                     std::vector<consumer_message>& out, std::vector<buffered_chunk>& lent);
    void clear();

private:
    std::deque<buffered_chunk> chunks_;
    std::size_t messages_ = 0;
    std::size_t bytes_ = 0;
};

struct poll_source {
    std::int32_t partition = 0;
    message_buffer* buffer = nullptr;
};

// Takes up to max messages, one from each source in turn (in the given order) until max is
// reached or all are empty; returns how many were taken.
std::size_t take_round_robin(std::span<const poll_source> sources, std::size_t max, std::string_view topic,
                             std::vector<consumer_message>& out, std::vector<buffered_chunk>& lent);

} // namespace kspout::io
