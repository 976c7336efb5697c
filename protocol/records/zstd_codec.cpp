// zstd through libzstd: one shot when the frames declare their size, else streaming with growth.
#include "protocol/records/codecs.hpp"

#include "protocol/wire/error.hpp"

#include <zstd.h>

#include <bit>

namespace kspout::records::detail {
namespace {

struct decompression_context {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~decompression_context() { ZSTD_freeDCtx(dctx); }
    decompression_context() = default;
    decompression_context(const decompression_context&) = delete;
    decompression_context& operator=(const decompression_context&) = delete;
};

constexpr int default_level = 3;

// Sum of the content sizes the frames declare, ZSTD_CONTENTSIZE_UNKNOWN if one does not, or
// ZSTD_CONTENTSIZE_ERROR.
unsigned long long declared_size(wire::bytes_view input)
{
    unsigned long long total = 0;
    const std::uint8_t* p = input.data();
    std::size_t left = input.size();
    while (left > 0) {
        unsigned long long size = ZSTD_getFrameContentSize(p, left);
        if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return size;
        std::size_t frame = ZSTD_findFrameCompressedSize(p, left);
        if (ZSTD_isError(frame) || frame > left) return ZSTD_CONTENTSIZE_ERROR;
        if (size > ZSTD_CONTENTSIZE_ERROR - 1 - total) return ZSTD_CONTENTSIZE_ERROR;
        total += size;
        p += frame;
        left -= frame;
    }
    return total;
}

std::error_code one_shot(wire::bytes_view input, wire::byte_buffer& output, std::size_t size)
{
    std::size_t start = output.size();
    output.resize(start + size);
    std::size_t n = ZSTD_decompress(output.data() + start, size, input.data(), input.size());
    if (ZSTD_isError(n) || n != size) {
        output.resize(start);
        return wire::errc::corrupt_compressed_data;
    }
    return {};
}

} // namespace

std::error_code zstd_decompress(wire::bytes_view input, wire::byte_buffer& output, std::size_t max)
{
    if (input.empty()) return wire::errc::corrupt_compressed_data; // even an empty frame has a header
    unsigned long long declared = declared_size(input);
    if (declared == ZSTD_CONTENTSIZE_ERROR) return wire::errc::corrupt_compressed_data;
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
        if (declared > max) return wire::errc::decompressed_too_large;
        return one_shot(input, output, static_cast<std::size_t>(declared));
    }

    decompression_context ctx;
    if (ctx.dctx == nullptr) return wire::errc::corrupt_compressed_data;
    // A window larger than the allowed output is never needed; refusing it bounds zstd's memory.
    auto window_log = static_cast<int>(std::bit_width(std::max<std::size_t>(max, 1) - 1));
    window_log = std::clamp(window_log, 10, 27);
    ZSTD_DCtx_setParameter(ctx.dctx, ZSTD_d_windowLogMax, window_log);

    ZSTD_inBuffer in{input.data(), input.size(), 0};
    bounded_output out(output, max, input.size() * 4);
    std::size_t pending = 1; // non-zero while a frame is unfinished
    while (in.pos < in.size || pending != 0) {
        std::uint8_t probe = 0;
        auto space = out.space();
        bool probing = space.empty();
        ZSTD_outBuffer dst{probing ? &probe : space.data(), probing ? 1 : space.size(), 0};
        std::size_t in_before = in.pos;
        pending = ZSTD_decompressStream(ctx.dctx, &dst, &in);
        if (ZSTD_isError(pending)) {
            out.finish();
            return wire::errc::corrupt_compressed_data;
        }
        if (probing && dst.pos > 0) {
            out.finish();
            return wire::errc::decompressed_too_large;
        }
        out.commit(probing ? 0 : dst.pos);
        if (pending != 0 && in.pos == in_before && dst.pos == 0) {
            out.finish();
            return wire::errc::corrupt_compressed_data; // input ended inside a frame
        }
    }
    out.finish();
    return {};
}

std::error_code zstd_compress(wire::bytes_view input, wire::byte_buffer& output)
{
    std::size_t start = output.size();
    output.resize(start + ZSTD_compressBound(input.size()));
    std::size_t n = ZSTD_compress(output.data() + start, output.size() - start, input.data(),
                                  input.size(), default_level);
    if (ZSTD_isError(n)) {
        output.resize(start);
        return wire::errc::corrupt_compressed_data;
    }
    output.resize(start + n);
    return {};
}

} // namespace kspout::records::detail
