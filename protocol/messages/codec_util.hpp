// Helpers shared by the message codecs: error context, arrays, nullable strings and arrays.
#pragma once

#include "protocol/wire/api_key.hpp"
#include "protocol/wire/bytes.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::messages::detail {

enum class direction { request, response };

// "Fetch v4 response"
std::string context(wire::api_key key, std::int16_t version, direction dir);

// nullopt if every read succeeded, else the reader's error named by API, version and direction.
std::optional<wire::decode_error> result(const wire::reader& r, wire::api_key key,
                                         std::int16_t version, direction dir);

// Fails the reader with unsupported_version and returns that error.
std::optional<wire::decode_error> unsupported(wire::reader& r, wire::api_key key,
                                              std::int16_t version, direction dir);

template <typename T, typename Write>
void write_array(wire::writer& w, const std::vector<T>& items, Write write_one)
{
    w.array_length(items.size());
    for (const T& item : items) {
        write_one(item);
    }
}

// The count is checked against the remaining bytes (each element takes at least
// min_element_size), so the reserve is bounded by the input size.
template <typename T, typename Read>
void read_array(wire::reader& r, std::vector<T>& out, std::size_t min_element_size, Read read_one)
{
    std::size_t n = r.array_length(min_element_size);
    out.clear();
    out.reserve(n);
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        read_one(out.emplace_back());
    }
}

// An int32 count where -1 means null: nullopt for null, else the checked count.
std::optional<std::size_t> nullable_array_length(wire::reader& r, std::size_t min_element_size);

void write_int32s(wire::writer& w, const std::vector<std::int32_t>& values);
void read_int32s(wire::reader& r, std::vector<std::int32_t>& out);
void write_int64s(wire::writer& w, const std::vector<std::int64_t>& values);
void read_int64s(wire::reader& r, std::vector<std::int64_t>& out);

inline std::string read_string(wire::reader& r)
{
    return std::string(r.string());
}

std::optional<std::string> read_nullable_string(wire::reader& r);
void write_nullable_string(wire::writer& w, const std::optional<std::string>& s);

// Content equality for record views, which std::span does not define.
bool same_bytes(wire::bytes_view a, wire::bytes_view b) noexcept;

} // namespace kspout::messages::detail
