// libFuzzer: multilang framing fed in pieces, each message parsed as a Storm command. Input:
// [piece size][size cap / 32][stream]. Pieces must give the same messages as one whole feed.
#include "multilang/framing.hpp"
#include "multilang/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kspout::multilang;

struct outcome {
    std::vector<std::string> messages;
    bool failed = false;
};

outcome read_all(std::string_view stream, std::size_t piece, std::size_t max)
{
    outcome out;
    message_reader reader(max);
    for (std::size_t at = 0; at < stream.size() && !out.failed; at += piece) {
        reader.feed(stream.substr(at, piece));
        std::error_code ec;
        while (auto message = reader.next(ec)) out.messages.push_back(std::move(*message));
        out.failed = static_cast<bool>(ec);
    }
    if (!out.failed) (void)reader.has_pending();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    std::size_t piece = 1 + data[0] % 64;
    std::size_t max = 1 + std::size_t(data[1]) * 32;
    std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

    outcome pieces = read_all(stream, piece, max);
    outcome whole = read_all(stream, stream.size() + 1, max);
    if (!pieces.failed && !whole.failed && pieces.messages != whole.messages) std::abort();
    for (const std::string& m : pieces.messages) {
        if (m.size() > max) std::abort();
        (void)parse_storm_message(m);
    }
    return 0;
}
