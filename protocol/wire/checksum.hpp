// Checksums of the record formats: CRC-32 (IEEE, message sets v0/v1) and CRC-32C (batches v2).
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstdint>

namespace kspout::wire {

std::uint32_t crc32(bytes_view data) noexcept;
// Uses the SSE4.2 crc32 instruction where the CPU has it, else a slicing-by-8 table.
std::uint32_t crc32c(bytes_view data) noexcept;
std::uint32_t crc32c_software(bytes_view data) noexcept;

} // namespace kspout::wire
