// Helpers shared by the message codecs.
#include "protocol/messages/codec_util.hpp"

#include <algorithm>

namespace kspout::messages::detail {

std::string context(wire::api_key key, std::int16_t version, direction dir)
{
    std::string text(wire::api_name(key));
    text += " v";
    text += std::to_string(version);
    text += dir == direction::request ? " request" : " response";
    return text;
}

std::optional<wire::decode_error> result(const wire::reader& r, wire::api_key key,
                                         std::int16_t version, direction dir)
{
    if (r.ok()) return std::nullopt;
    return r.error_in(context(key, version, dir));
}

std::optional<wire::decode_error> unsupported(wire::reader& r, wire::api_key key,
                                              std::int16_t version, direction dir)
{
    r.fail(wire::errc::unsupported_version);
    return result(r, key, version, dir);
}

std::optional<std::size_t> nullable_array_length(wire::reader& r, std::size_t min_element_size)
{
    wire::reader peek = r;
    if (peek.int32() == -1 && peek.ok()) {
        (void)r.int32();
        return std::nullopt;
    }
    return r.array_length(min_element_size);
}

void write_int32s(wire::writer& w, const std::vector<std::int32_t>& values)
{
    write_array(w, values, [&](std::int32_t v) { w.int32(v); });
}

void read_int32s(wire::reader& r, std::vector<std::int32_t>& out)
{
    read_array(r, out, 4, [&](std::int32_t& v) { v = r.int32(); });
}

void write_int64s(wire::writer& w, const std::vector<std::int64_t>& values)
{
    write_array(w, values, [&](std::int64_t v) { w.int64(v); });
}

void read_int64s(wire::reader& r, std::vector<std::int64_t>& out)
{
    read_array(r, out, 8, [&](std::int64_t& v) { v = r.int64(); });
}

std::optional<std::string> read_nullable_string(wire::reader& r)
{
    auto s = r.nullable_string();
    if (!s) return std::nullopt;
    return std::string(*s);
}

void write_nullable_string(wire::writer& w, const std::optional<std::string>& s)
{
    if (s) {
        w.string(*s);
    } else {
        w.nullable_string(std::nullopt);
    }
}

bool same_bytes(wire::bytes_view a, wire::bytes_view b) noexcept
{
    return std::ranges::equal(a, b);
}

} // namespace kspout::messages::detail
