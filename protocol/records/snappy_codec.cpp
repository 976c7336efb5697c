// snappy: xerial (snappy-java) framing or one raw block on read, told apart by the xerial magic.
#include "protocol/records/codecs.hpp"

#include "protocol/wire/error.hpp"

#include <snappy.h>

#include <array>
#include <cstring>

namespace kspout::records::detail {
namespace {

// \x82SNAPPY\0, then int32 version and int32 minimum compatible version, both 1.
constexpr std::array<std::uint8_t, 8> xerial_magic{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t xerial_header_size = 16;
constexpr std::size_t xerial_block_size = 32 * 1024; // snappy-java's default

bool has_xerial_header(wire::bytes_view in)
{
    return in.size() >= xerial_header_size &&
           std::memcmp(in.data(), xerial_magic.data(), xerial_magic.size()) == 0;
}

std::uint32_t load_u32(const std::uint8_t* p)
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void store_u32(std::uint8_t* p, std::uint32_t v)
{
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

// Decodes one raw snappy block, appending it; `budget` is what may still be appended.
std::error_code raw_block(wire::bytes_view block, wire::byte_buffer& output, std::size_t& budget)
{
    auto src = reinterpret_cast<const char*>(block.data());
    std::size_t length = 0;
    if (!snappy::GetUncompressedLength(src, block.size(), &length)) {
        return wire::errc::corrupt_compressed_data;
    }
    if (length > budget) return wire::errc::decompressed_too_large;
    std::size_t start = output.size();
    output.resize(start + length);
    if (!snappy::RawUncompress(src, block.size(), reinterpret_cast<char*>(output.data() + start))) {
        output.resize(start);
        return wire::errc::corrupt_compressed_data;
    }
    budget -= length;
    return {};
}

std::size_t raw_compress(wire::bytes_view input, wire::byte_buffer& output)
{
    std::size_t start = output.size();
    output.resize(start + snappy::MaxCompressedLength(input.size()));
    std::size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                        reinterpret_cast<char*>(output.data() + start), &written);
    output.resize(start + written);
    return written;
}

} // namespace

std::error_code snappy_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max)
{
    std::size_t budget = max;
    if (!has_xerial_header(input)) return raw_block(input, output, budget);

    std::size_t pos = 0;
    while (pos < input.size()) {
        wire::bytes_view rest = input.subspan(pos);
        // snappy-java also reads streams written back to back, each with its own header.
        if (has_xerial_header(rest)) {
            pos += xerial_header_size;
            continue;
        }
        if (rest.size() < 4) return wire::errc::corrupt_compressed_data;
        std::uint32_t length = load_u32(rest.data());
        if (length > rest.size() - 4) return wire::errc::corrupt_compressed_data;
        if (auto ec = raw_block(rest.subspan(4, length), output, budget)) return ec;
        pos += 4 + std::size_t{length};
    }
    return {};
}

std::error_code snappy_compress(wire::bytes_view input, wire::byte_buffer& output, bool xerial)
{
    if (!xerial) {
        raw_compress(input, output);
        return {};
    }
    output.insert(output.end(), xerial_magic.begin(), xerial_magic.end());
    constexpr std::array<std::uint8_t, 8> versions{0, 0, 0, 1, 0, 0, 0, 1};
    output.insert(output.end(), versions.begin(), versions.end());
    for (std::size_t pos = 0; pos < input.size(); pos += xerial_block_size) {
        std::size_t length_at = output.size();
        output.resize(length_at + 4);
        std::size_t n = std::min(xerial_block_size, input.size() - pos);
        std::size_t written = raw_compress(input.subspan(pos, n), output);
        store_u32(output.data() + length_at, static_cast<std::uint32_t>(written));
    }
    return {};
}

} // namespace kspout::records::detail
