// libFuzzer: the frame splitter read in chunks of every size, its frames fed to a request pipeline.
// Input: [chunk size][stream]. Chunked reads must give the same frames as one whole feed.
#include "protocol/io/request_pipeline.hpp"
#include "protocol/wire/frame_splitter.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace kspout;

struct outcome {
    std::vector<wire::byte_buffer> frames;
    std::error_code error;
};

outcome split(wire::bytes_view stream, std::size_t chunk)
{
    outcome out;
    wire::frame_splitter splitter(1 << 16, 64);
    while (!stream.empty()) {
        auto target = splitter.prepare();
        if (target.empty()) std::abort(); // prepare never leaves a reader without room
        std::size_t n = std::min({target.size(), stream.size(), chunk});
        std::memcpy(target.data(), stream.data(), n);
        splitter.commit(n);
        stream = stream.subspan(n);
        while (auto frame = splitter.next(out.error)) out.frames.push_back(*frame);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) return 0;
    std::size_t chunk = data[0] + 1u;
    wire::bytes_view stream(data + 1, size - 1);

    outcome chunked = split(stream, chunk);
    outcome whole = split(stream, stream.size() + 1);
    if (chunked.frames != whole.frames || chunked.error != whole.error) std::abort();

    // Every frame as a response to a pipeline with requests of both kinds in flight.
    io::request_pipeline pipeline({"fuzz", 2});
    auto encoder = [](wire::writer& w) { w.int32(0); };
    for (int i = 0; i < 4; ++i)
        pipeline.add(wire::api_key::fetch, 4, encoder, {}, [](std::error_code, io::response_frame) {}, i % 2 == 0);
    for (auto& frame : chunked.frames) {
        std::error_code ec;
        auto delivery = pipeline.on_response(std::make_shared<wire::byte_buffer>(frame), ec);
        if (!delivery) break;
        wire::byte_buffer bytes;
        std::vector<io::response_handler> written;
        pipeline.take_output(bytes, written);
    }
    (void)pipeline.take_all();
    return 0;
}
