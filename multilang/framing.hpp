// Storm multilang framing: a JSON text, a newline, then a line that is exactly "end".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace kspout::multilang {

inline constexpr std::size_t default_max_message_bytes = 64 * 1024 * 1024;

// Splits a byte stream into messages the way Storm's reader does: lines are joined with "\n"
// until a line equal to "end" ("\r\n" and "\r" end lines too; "end " does not). Messages made
// only of blank lines (a stray "end") are skipped.
class message_reader {
public:
    explicit message_reader(std::size_t max_message_bytes = default_max_message_bytes)
        : max_(max_message_bytes) {}

    void feed(std::string_view bytes);
    // The next complete message, or nullopt. A message longer than the maximum sets ec
    // (std::errc::message_size) as soon as that many bytes have arrived, and the reader stays
    // failed. Every byte is scanned once, however the stream is cut into feeds.
    std::optional<std::string> next(std::error_code& ec);
    // Bytes of an unfinished message, for "Currently read output" diagnostics at EOF.
    std::string_view pending() const { return std::string_view(buffer_).substr(message_start_); }
    bool has_pending() const;

private:
    bool too_long(std::size_t end) const { return end - message_start_ > max_; }
    std::string take_message();

    std::size_t max_;
    std::string buffer_;            // consumed bytes before message_start_, compacted on feed
    std::size_t message_start_ = 0; // the first byte of the unfinished message
    std::size_t line_start_ = 0;    // the first byte of the unfinished line
    std::size_t scan_from_ = 0;     // where to resume looking for a line end
    bool failed_ = false;
};

// Frames one JSON text for the wire: the text, "\n", "end", "\n".
std::string frame(std::string_view json_text);
// The same, appended to `out`.
void append_frame(std::string& out, std::string_view json_text);

} // namespace kspout::multilang
