// message_reader: line splitting with Java readLine's line ends, joined until "end".
#include "multilang/framing.hpp"

namespace kspout::multilang {
namespace {

bool is_blank(std::string_view text)
{
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

std::optional<std::string> message_reader::next(std::error_code& ec)
{
    if (failed_) {
        ec = std::make_error_code(std::errc::message_size);
        return std::nullopt;
    }
    std::size_t line_start = scan_from_;
    // Rewind to the start of the line scan_from_ is in, so a line split across feeds is whole.
    while (line_start > 0 && buffer_[line_start - 1] != '\n' && buffer_[line_start - 1] != '\r') --line_start;
    for (;;) {
        std::size_t eol = buffer_.find_first_of("\r\n", line_start);
        if (eol == std::string::npos) {
            scan_from_ = line_start;
            if (buffer_.size() > max_) {
                failed_ = true;
                ec = std::make_error_code(std::errc::message_size);
            }
            return std::nullopt;
        }
        // "\r" at the very end may be the first half of "\r\n": wait for the next byte.
        if (buffer_[eol] == '\r' && eol + 1 == buffer_.size()) {
            scan_from_ = line_start;
            return std::nullopt;
        }
        std::size_t after = eol + ((buffer_[eol] == '\r' && buffer_[eol + 1] == '\n') ? 2 : 1);
        std::string_view line(buffer_.data() + line_start, eol - line_start);
        if (line == "end") {
            std::string message = buffer_.substr(0, line_start);
            // Lines were joined with their own line ends; Storm joins with "\n".
            std::string joined;
            joined.reserve(message.size());
            for (std::size_t i = 0; i < message.size(); ++i) {
                if (message[i] == '\r') {
                    joined += '\n';
                    if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
                } else {
                    joined += message[i];
                }
            }
            if (!joined.empty() && joined.back() == '\n') joined.pop_back();
            buffer_.erase(0, after);
            scan_from_ = 0;
            line_start = 0;
            if (is_blank(joined)) continue;
            return joined;
        }
        line_start = after;
        if (line_start > max_) {
            failed_ = true;
            ec = std::make_error_code(std::errc::message_size);
            return std::nullopt;
        }
    }
}

bool message_reader::has_pending() const
{
    return !is_blank(buffer_);
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
