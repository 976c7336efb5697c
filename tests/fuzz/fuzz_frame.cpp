// libFuzzer: the frame splitter and reader primitives on arbitrary bytes.
#include "protocol/wire/frame.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kspout::wire::bytes_view input(data, size);
    kspout::wire::frame_splitter splitter(1 << 16);
    std::size_t half = size / 2;
    splitter.feed(input.first(half));
    std::error_code ec;
    while (splitter.next(ec)) {}
    splitter.feed(input.subspan(half));
    while (auto frame = splitter.next(ec)) {
        kspout::wire::reader r(*frame);
        (void)kspout::wire::decode_response_header(r, true);
        while (r.ok() && !r.at_end()) {
            (void)r.nullable_string();
            (void)r.array_length(4);
            (void)r.varlong();
            (void)r.nullable_bytes();
        }
    }
    return 0;
}
