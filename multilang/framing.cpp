// message_reader: line splitting with Java readLine's line ends, joined until "end".
#include "multilang/framing.hpp"

#include <algorithm>

namespace kspout::multilang {
namespace {

bool is_blank(std::string_view text)
{
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

void message_reader::feed(std::string_view bytes)
{
    // Drop consumed bytes once they are at least half the buffer: amortized linear.
    if (message_start_ > 0 && message_start_ * 2 >= buffer_.size()) {
        buffer_.erase(0, message_start_);
        line_start_ -= message_start_;
        scan_from_ -= message_start_;
        message_start_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<std::string> message_reader::next(std::error_code& ec)
{
    for (;;) {
        if (failed_) {
            ec = std::make_error_code(std::errc::message_size);
            return std::nullopt;
        }
        std::size_t eol = buffer_.find_first_of("\r\n", scan_from_);
        if (too_long(std::min(eol, buffer_.size()))) {
            failed_ = true;
            continue;
        }
        if (eol == std::string::npos) {
            scan_from_ = buffer_.size();
            return std::nullopt;
        }
        // "\r" at the very end may be the first half of "\r\n": wait for the next byte.
        if (buffer_[eol] == '\r' && eol + 1 == buffer_.size()) {
            scan_from_ = eol;
            return std::nullopt;
        }
        std::size_t after = eol + ((buffer_[eol] == '\r' && buffer_[eol + 1] == '\n') ? 2 : 1);
        bool is_end = std::string_view(buffer_).substr(line_start_, eol - line_start_) == "end";
        if (!is_end) {
            line_start_ = scan_from_ = after;
            continue;
        }
        std::string message = take_message();
        message_start_ = line_start_ = scan_from_ = after;
        if (is_blank(message)) continue;
        return message;
    }
}

// The lines before the "end" line, joined with "\n" as Storm joins them.
std::string message_reader::take_message()
{
    std::string_view lines = std::string_view(buffer_).substr(message_start_, line_start_ - message_start_);
    std::string joined;
    joined.reserve(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] == '\r') {
            joined += '\n';
            if (i + 1 < lines.size() && lines[i + 1] == '\n') ++i;
        } else {
            joined += lines[i];
        }
    }
    if (!joined.empty() && joined.back() == '\n') joined.pop_back();
    return joined;
}

bool message_reader::has_pending() const
{
    return !is_blank(pending());
}

std::string frame(std::string_view json_text)
{
    std::string out;
    out.reserve(json_text.size() + 5);
    append_frame(out, json_text);
    return out;
}

void append_frame(std::string& out, std::string_view json_text)
{
    out.append(json_text);
    out.append("\nend\n");
}

} // namespace kspout::multilang
