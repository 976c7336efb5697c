// gzip through zlib: inflate with header auto-detection and concatenated members; deflate.
#include "protocol/records/codecs.hpp"

#include "protocol/wire/error.hpp"

#include <zlib.h>

#include <limits>

namespace kspout::records::detail {
namespace {

constexpr std::size_t max_uint = std::numeric_limits<uInt>::max();

struct inflate_stream {
    z_stream zs{};
    bool ready = false;
    inflate_stream() { ready = inflateInit2(&zs, 15 + 32) == Z_OK; }
    ~inflate_stream()
    {
        if (ready) inflateEnd(&zs);
    }
    inflate_stream(const inflate_stream&) = delete;
    inflate_stream& operator=(const inflate_stream&) = delete;
};

bool starts_gzip_member(const std::uint8_t* p, std::size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

// The trailer of a (last) gzip member holds the uncompressed size mod 2^32: a good first guess.
std::size_t size_hint(wire::bytes_view input)
{
    if (input.size() < 18) return input.size() * 4;
    const std::uint8_t* p = input.data() + input.size() - 4;
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

} // namespace

std::error_code gzip_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max)
{
    if (input.size() > max_uint) return wire::errc::corrupt_compressed_data;
    inflate_stream stream;
    if (!stream.ready) return wire::errc::corrupt_compressed_data;
    z_stream& zs = stream.zs;
    zs.next_in = const_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());

    bounded_output out(output, max, size_hint(input));
    for (;;) {
        std::uint8_t probe = 0;
        auto space = out.space();
        // At the limit, ask for one more byte: getting it means the payload is too large.
        bool probing = space.empty();
        zs.next_out = probing ? &probe : space.data();
        zs.avail_out = probing ? 1u : static_cast<uInt>(std::min(space.size(), max_uint));
        uInt before = zs.avail_out;
        int ret = inflate(&zs, Z_NO_FLUSH);
        std::size_t produced = before - zs.avail_out;
        if (probing && produced > 0) {
            out.finish();
            return wire::errc::decompressed_too_large;
        }
        out.commit(probing ? 0 : produced);
        if (ret == Z_STREAM_END) {
            // Like Java's GZIPInputStream, read further members and ignore anything else after.
            if (!starts_gzip_member(zs.next_in, zs.avail_in)) break;
            if (inflateReset(&zs) != Z_OK) break;
            continue;
        }
        if (ret == Z_OK) continue;
        out.finish();
        return wire::errc::corrupt_compressed_data; // data error, or input ended mid-stream
    }
    out.finish();
    return {};
}

std::error_code gzip_compress(wire::bytes_view input, wire::byte_buffer& output)
{
    if (input.size() > max_uint / 2) return wire::errc::bad_length;
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return wire::errc::corrupt_compressed_data;
    }
    std::size_t start = output.size();
    uLong bound = deflateBound(&zs, static_cast<uLong>(input.size()));
    output.resize(start + bound);
    zs.next_in = const_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());
    zs.next_out = output.data() + start;
    zs.avail_out = static_cast<uInt>(bound);
    int ret = deflate(&zs, Z_FINISH);
    std::size_t written = bound - zs.avail_out;
    deflateEnd(&zs);
    output.resize(start + written);
    if (ret != Z_STREAM_END) return wire::errc::corrupt_compressed_data;
    return {};
}

} // namespace kspout::records::detail
