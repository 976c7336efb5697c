// Bounded, printable excerpts of outside input for error and log messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kspout::text {

inline constexpr std::size_t default_excerpt_bytes = 200;

// At most `limit` bytes of `bytes`, with control bytes and invalid UTF-8 escaped as \xNN,
// followed by "... (N bytes)" when it was cut. Never longer than about 4 x limit + 32
// characters, whatever the input. For people to read: a literal "\x00" looks the same.
std::string excerpt(std::string_view bytes, std::size_t limit = default_excerpt_bytes);

} // namespace kspout::text
