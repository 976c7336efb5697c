// RFC 4648 base64, for record bytes that are not text.
#pragma once

#include <string>
#include <string_view>

namespace kspout::spout {

// The standard alphabet with '=' padding.
std::string base64_encode(std::string_view bytes);

} // namespace kspout::spout
