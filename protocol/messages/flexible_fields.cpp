// Classic or compact field forms, chosen per call by the version's flexibility.
#include "protocol/messages/flexible_fields.hpp"

#include "protocol/messages/codec_util.hpp"

namespace kspout::messages::detail {

void write_string(wire::writer& w, std::string_view s, bool flexible)
{
    if (flexible) {
        w.compact_string(s);
    } else {
        w.string(s);
    }
}

std::string read_string(wire::reader& r, bool flexible)
{
    return std::string(flexible ? r.compact_string() : r.string());
}

void write_nullable_string(wire::writer& w, const std::optional<std::string>& s, bool flexible)
{
    if (!flexible) {
        write_nullable_string(w, s);
    } else if (s) {
        w.compact_string(*s);
    } else {
        w.compact_nullable_string(std::nullopt);
    }
}

std::optional<std::string> read_nullable_string(wire::reader& r, bool flexible)
{
    if (!flexible) return read_nullable_string(r);
    auto s = r.compact_nullable_string();
    if (!s) return std::nullopt;
    return std::string(*s);
}

void write_bytes(wire::writer& w, wire::bytes_view b, bool flexible)
{
    if (flexible) {
        w.compact_bytes(b);
    } else {
        w.bytes(b);
    }
}

wire::byte_buffer read_bytes(wire::reader& r, bool flexible)
{
    wire::bytes_view b = flexible ? r.compact_bytes() : r.bytes();
    return wire::byte_buffer(b.begin(), b.end());
}

void write_array_length(wire::writer& w, std::size_t n, bool flexible)
{
    if (flexible) {
        w.compact_array_length(n);
    } else {
        w.array_length(n);
    }
}

std::size_t read_array_length(wire::reader& r, std::size_t min_element_size, bool flexible)
{
    return flexible ? r.compact_array_length(min_element_size) : r.array_length(min_element_size);
}

void write_null_array(wire::writer& w, bool flexible)
{
    if (flexible) {
        w.uvarint(0);
    } else {
        w.int32(-1);
    }
}

std::optional<std::size_t> read_nullable_array_length(wire::reader& r, std::size_t min_element_size,
                                                      bool flexible)
{
    if (!flexible) return nullable_array_length(r, min_element_size);
    wire::reader peek = r;
    if (peek.uvarint() == 0 && peek.ok()) {
        (void)r.uvarint();
        return std::nullopt;
    }
    return r.compact_array_length(min_element_size);
}

void write_int32s(wire::writer& w, const std::vector<std::int32_t>& values, bool flexible)
{
    write_array(w, values, flexible, [&](std::int32_t v) { w.int32(v); });
}

void read_int32s(wire::reader& r, std::vector<std::int32_t>& out, bool flexible)
{
    read_array(r, out, 4, flexible, [&](std::int32_t& v) { v = r.int32(); });
}

} // namespace kspout::messages::detail
