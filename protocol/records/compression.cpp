// Codec dispatch: picks the codec implementation and checks the codec id.
#include "protocol/records/compression.hpp"

#include "protocol/records/codecs.hpp"
#include "protocol/wire/error.hpp"

namespace kspout::records {

std::error_code decompress(compression codec, wire::bytes_view input, wire::byte_buffer& output,
                           std::size_t max_output_bytes, const decompress_options& options)
{
    switch (codec) {
    case compression::none:
        if (input.size() > max_output_bytes) return wire::errc::decompressed_too_large;
        output.insert(output.end(), input.begin(), input.end());
        return {};
    case compression::gzip: return detail::gzip_decompress(input, output, max_output_bytes);
    case compression::snappy: return detail::snappy_decompress(input, output, max_output_bytes);
    case compression::lz4:
        return detail::lz4_decompress(input, output, max_output_bytes,
                                      options.lz4_legacy_header_checksum);
    case compression::zstd: return detail::zstd_decompress(input, output, max_output_bytes);
    }
    return wire::errc::unsupported_compression;
}

std::error_code compress(compression codec, wire::bytes_view input, wire::byte_buffer& output,
                         const compress_options& options)
{
    switch (codec) {
    case compression::none:
        output.insert(output.end(), input.begin(), input.end());
        return {};
    case compression::gzip: return detail::gzip_compress(input, output);
    case compression::snappy: return detail::snappy_compress(input, output, options.snappy_xerial);
    case compression::lz4:
        return detail::lz4_compress(input, output, options.lz4_legacy_header_checksum);
    case compression::zstd: return detail::zstd_compress(input, output);
    }
    return wire::errc::unsupported_compression;
}

std::string_view to_string(compression codec) noexcept
{
    switch (codec) {
    case compression::none: return "none";
    case compression::gzip: return "gzip";
    case compression::snappy: return "snappy";
    case compression::lz4: return "lz4";
    case compression::zstd: return "zstd";
    }
    return "unknown";
}

std::optional<compression> compression_from_string(std::string_view name) noexcept
{
    for (compression c : {compression::none, compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

} // namespace kspout::records
