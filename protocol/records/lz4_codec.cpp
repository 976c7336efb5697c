// lz4 frames through liblz4's LZ4F API, with the magic-0 header checksum quirk on both sides.
#include "protocol/records/codecs.hpp"

#include "protocol/wire/error.hpp"

#include <lz4frame.h>
#include <xxhash.h>

#include <array>

namespace kspout::records::detail {
namespace {

constexpr std::size_t frame_magic_size = 4;
constexpr std::size_t max_header_size = 19; // magic, FLG, BD, content size, dictionary id, HC

struct decompression_context {
    LZ4F_dctx* dctx = nullptr;
    decompression_context() { (void)LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION); }
    ~decompression_context() { LZ4F_freeDecompressionContext(dctx); }
    decompression_context(const decompression_context&) = delete;
    decompression_context& operator=(const decompression_context&) = delete;
};

// Size of the frame header (magic through HC), or 0 if `in` does not start with a whole one.
std::size_t frame_header_size(wire::bytes_view in)
{
    if (in.size() < 7 || in[0] != 0x04 || in[1] != 0x22 || in[2] != 0x4d || in[3] != 0x18) return 0;
    std::uint8_t flg = in[4];
    std::size_t size = 7 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
    return in.size() >= size ? size : 0;
}

// HC: second byte of XXH32 over the descriptor (FLG up to HC), or over magic + descriptor when
// reproducing the 0.8/0.9 bug.
std::uint8_t header_checksum(wire::bytes_view header, bool legacy)
{
    std::size_t from = legacy ? 0 : frame_magic_size;
    auto descriptor = header.subspan(from, header.size() - 1 - from);
    return static_cast<std::uint8_t>((XXH32(descriptor.data(), descriptor.size(), 0) >> 8) & 0xff);
}

// An upper bound of the first frame's content: its block count times the maximum block size,
// found by hopping over the block size fields. Java's frames do not declare the content size.
std::size_t size_hint(wire::bytes_view in)
{
    std::size_t fallback = in.size() * 4;
    std::size_t pos = frame_header_size(in);
    if (pos == 0) return fallback;
    int block_size_id = (in[5] >> 4) & 0x07;
    if (block_size_id < 4) return fallback;
    std::size_t block_max = std::size_t{1} << (8 + 2 * block_size_id);
    std::size_t block_checksum = (in[4] & 0x10) ? 4 : 0;
    std::size_t blocks = 0;
    while (in.size() - pos >= 4) {
        std::uint32_t size = std::uint32_t{in[pos]} | (std::uint32_t{in[pos + 1]} << 8) |
                             (std::uint32_t{in[pos + 2]} << 16) | (std::uint32_t{in[pos + 3]} << 24);
        size &= 0x7fffffffu;
        if (size == 0) return blocks * block_max; // end mark
        std::size_t skip = 4 + std::size_t{size} + block_checksum;
        if (skip > in.size() - pos) break;
        pos += skip;
        ++blocks;
    }
    return fallback;
}

} // namespace

std::error_code lz4_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max,
                               bool legacy_header_checksum)
{
    decompression_context ctx;
    if (ctx.dctx == nullptr) return wire::errc::corrupt_compressed_data;

    std::size_t in_pos = 0;
    if (legacy_header_checksum) {
        // Feed the first frame's header with a correct HC so liblz4 accepts it.
        std::size_t header_size = frame_header_size(input);
        if (header_size == 0) return wire::errc::corrupt_compressed_data;
        std::array<std::uint8_t, max_header_size> header{};
        std::copy_n(input.begin(), header_size, header.begin());
        auto fixed = wire::bytes_view(header).first(header_size);
        header[header_size - 1] = header_checksum(fixed, false);
        std::uint8_t unused = 0;
        std::size_t dst_size = 0;
        std::size_t src_size = header_size;
        std::size_t status = LZ4F_decompress(ctx.dctx, &unused, &dst_size, header.data(), &src_size, nullptr);
        if (LZ4F_isError(status) || src_size != header_size) return wire::errc::corrupt_compressed_data;
        in_pos = header_size;
    }

    std::size_t hint = size_hint(input);
    LZ4F_frameInfo_t info{};
    std::size_t header_bytes = input.size();
    if (!legacy_header_checksum &&
        !LZ4F_isError(LZ4F_getFrameInfo(ctx.dctx, &info, input.data(), &header_bytes))) {
        if (info.contentSize != 0) hint = static_cast<std::size_t>(info.contentSize);
        in_pos = header_bytes; // getFrameInfo consumed the header
    }

    bounded_output out(output, max, hint);
    bool frame_done = false;
    while (in_pos < input.size() || !frame_done) {
        std::uint8_t probe = 0;
        auto space = out.space();
        bool probing = space.empty();
        std::size_t dst_size = probing ? 1 : space.size();
        std::size_t src_size = input.size() - in_pos;
        std::size_t wanted = LZ4F_decompress(ctx.dctx, probing ? &probe : space.data(), &dst_size,
                                             input.data() + in_pos, &src_size, nullptr);
        if (LZ4F_isError(wanted)) {
            out.finish();
            return wire::errc::corrupt_compressed_data;
        }
        if (probing && dst_size > 0) {
            out.finish();
            return wire::errc::decompressed_too_large;
        }
        out.commit(probing ? 0 : dst_size);
        in_pos += src_size;
        frame_done = wanted == 0; // a following frame starts a new one in the same context
        if (!frame_done && src_size == 0 && dst_size == 0) {
            out.finish();
            return wire::errc::corrupt_compressed_data; // input ended inside the frame
        }
    }
    out.finish();
    return {};
}

std::error_code lz4_compress(wire::bytes_view input, wire::byte_buffer& output,
                             bool legacy_header_checksum)
{
    // What Java writes: independent 64 KiB blocks, no checksums, no content size (FLG 60, BD 40).
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    std::size_t start = output.size();
    output.resize(start + LZ4F_compressFrameBound(input.size(), &prefs));
    std::size_t written = LZ4F_compressFrame(output.data() + start, output.size() - start,
                                             input.data(), input.size(), &prefs);
    if (LZ4F_isError(written)) {
        output.resize(start);
        return wire::errc::corrupt_compressed_data;
    }
    output.resize(start + written);
    if (legacy_header_checksum) {
        auto frame = wire::bytes_view(output).subspan(start);
        std::size_t header_size = frame_header_size(frame);
        if (header_size == 0) return wire::errc::corrupt_compressed_data;
        output[start + header_size - 1] = header_checksum(frame.first(header_size), true);
    }
    return {};
}

} // namespace kspout::records::detail
