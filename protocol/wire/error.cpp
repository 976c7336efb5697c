// The wire error category and decode_error's message.
#include "protocol/wire/error.hpp"

#include "protocol/error/error_kind.hpp"

namespace kspout::wire {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.wire"; }

    std::string message(int ev) const override
    {
        switch (static_cast<errc>(ev)) {
        case errc::truncated: return "truncated";
        case errc::bad_length: return "bad length";
        case errc::bad_varint: return "bad varint";
        case errc::bad_crc: return "checksum mismatch";
        case errc::bad_magic: return "unknown record magic";
        case errc::frame_too_large: return "frame larger than the maximum";
        case errc::unsupported_version: return "unsupported API version";
        case errc::unsupported_compression: return "unsupported compression codec";
        case errc::corrupt_compressed_data: return "corrupt compressed data";
        case errc::decompressed_too_large: return "decompressed data larger than the maximum";
        case errc::trailing_bytes: return "unexpected trailing bytes";
        case errc::bad_value: return "bad field value";
        }
        return "unknown wire error";
    }

    // Bytes that do not decode decode no better when asked for again.
    std::error_condition default_error_condition(int) const noexcept override { return error_kind::fatal; }
};

} // namespace

const std::error_category& wire_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), wire_category()};
}

std::string decode_error::message() const
{
    std::string text = context.empty() ? std::string("decode") : context;
    text += ": ";
    text += code.message();
    text += " at byte ";
    text += std::to_string(offset);
    return text;
}

} // namespace kspout::wire
