// RFC 4648 base64, for record bytes that are not text (out of the spout, into the bolt).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kspout::spout {

// The standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);
// The bytes of padded standard base64 (what base64_encode writes); nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace kspout::spout
