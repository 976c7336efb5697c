// Strings, bytes, arrays and tagged fields in the form a version uses: classic (int16/int32
// lengths) or compact (KIP-482 flexible versions: unsigned varint length + 1, tagged fields).
#pragma once

#include "protocol/wire/bytes.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kspout::messages::detail {

void write_string(wire::writer& w, std::string_view s, bool flexible);
std::string read_string(wire::reader& r, bool flexible);
void write_nullable_string(wire::writer& w, const std::optional<std::string>& s, bool flexible);
std::optional<std::string> read_nullable_string(wire::reader& r, bool flexible);
void write_bytes(wire::writer& w, wire::bytes_view b, bool flexible);
wire::byte_buffer read_bytes(wire::reader& r, bool flexible);

// Flexible versions end every structure with its tagged fields; we write none and skip any.
inline void write_tags(wire::writer& w, bool flexible)
{
    if (flexible) w.empty_tagged_fields();
}

inline void skip_tags(wire::reader& r, bool flexible)
{
    if (flexible) r.skip_tagged_fields();
}

void write_array_length(wire::writer& w, std::size_t n, bool flexible);
// A null array reads as empty, as reader::array_length does.
std::size_t read_array_length(wire::reader& r, std::size_t min_element_size, bool flexible);
// -1 (classic) or 0 (compact) for null.
void write_null_array(wire::writer& w, bool flexible);
// nullopt for a null array, else the checked count.
std::optional<std::size_t> read_nullable_array_length(wire::reader& r, std::size_t min_element_size,
                                                      bool flexible);

template <typename T, typename Write>
void write_array(wire::writer& w, const std::vector<T>& items, bool flexible, Write write_one)
{
    write_array_length(w, items.size(), flexible);
    for (const T& item : items) {
        write_one(item);
    }
}

// The count is checked against the remaining bytes before anything is reserved.
template <typename T, typename Read>
void read_array(wire::reader& r, std::vector<T>& out, std::size_t min_element_size, bool flexible,
                Read read_one)
{
    std::size_t n = read_array_length(r, min_element_size, flexible);
    out.clear();
    out.reserve(n);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        read_one(out.emplace_back());
    }
}

template <typename T, typename Write>
void write_nullable_array(wire::writer& w, const std::optional<std::vector<T>>& items, bool flexible,
                          Write write_one)
{
    if (items) {
        write_array(w, *items, flexible, write_one);
    } else {
        write_null_array(w, flexible);
    }
}

template <typename T, typename Read>
void read_nullable_array(wire::reader& r, std::optional<std::vector<T>>& out, std::size_t min_element_size,
                         bool flexible, Read read_one)
{
    out.reset();
    wire::reader peek = r;
    if (!read_nullable_array_length(peek, min_element_size, flexible) && peek.ok()) {
        r = peek;
        return;
    }
    read_array(r, out.emplace(), min_element_size, flexible, read_one);
}

void write_int32s(wire::writer& w, const std::vector<std::int32_t>& values, bool flexible);
void read_int32s(wire::reader& r, std::vector<std::int32_t>& out, bool flexible);

} // namespace kspout::messages::detail
