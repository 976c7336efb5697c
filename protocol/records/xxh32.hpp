// XXH32, the hash behind the lz4 frame header checksum (liblz4 does not export it).
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstdint>

namespace kspout::records {

std::uint32_t xxh32(wire::bytes_view data, std::uint32_t seed = 0) noexcept;

} // namespace kspout::records
