// CRC-32 through zlib; CRC-32C (Castagnoli, reflected 0x82F63B78) in hardware or by table.
#include "protocol/wire/checksum.hpp"

#include <zlib.h>

#include <array>
#include <cstring>

namespace kspout::wire {
namespace {

using crc_tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr crc_tables make_crc32c_tables()
{
    crc_tables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t crc = i;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        t[0][i] = crc;
    }
    for (std::size_t i = 0; i < 256; ++i) {
        for (std::size_t k = 1; k < 8; ++k) {
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
        }
    }
    return t;
}

constexpr crc_tables tables = make_crc32c_tables();

// The table method takes bytes in little-endian order. Assembled byte by byte it is right on
// any host; GCC and Clang turn this into one load where the host is little-endian.
std::uint32_t load_le32(const std::uint8_t* p) noexcept
{
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

std::uint32_t crc32c_table(std::uint32_t crc, const std::uint8_t* p, std::size_t n) noexcept
{
    while (n >= 8) {
        std::uint32_t lo = load_le32(p) ^ crc;
        std::uint32_t hi = load_le32(p + 4);
        crc = tables[7][lo & 0xff] ^ tables[6][(lo >> 8) & 0xff] ^ tables[5][(lo >> 16) & 0xff] ^
              tables[4][lo >> 24] ^ tables[3][hi & 0xff] ^ tables[2][(hi >> 8) & 0xff] ^
              tables[1][(hi >> 16) & 0xff] ^ tables[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) {
        crc = (crc >> 8) ^ tables[0][(crc ^ *p++) & 0xff];
    }
    return crc;
}

#if defined(__x86_64__) // little-endian, so the word loaded is the bytes in CRC order
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc, const std::uint8_t* p,
                                                              std::size_t n) noexcept
{
    std::uint64_t c = crc;
    while (n >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    auto c32 = static_cast<std::uint32_t>(c);
    while (n-- > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    }
    return c32;
}

bool cpu_has_sse42() noexcept
{
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

} // namespace

std::uint32_t crc32(bytes_view data) noexcept
{
    uLong crc = ::crc32(0L, Z_NULL, 0);
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    while (n > 0) { // zlib takes a uInt length
        auto chunk = static_cast<uInt>(n > (1u << 30) ? (1u << 30) : n);
        crc = ::crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return static_cast<std::uint32_t>(crc);
}

std::uint32_t crc32c_software(bytes_view data) noexcept
{
    return ~crc32c_table(~0u, data.data(), data.size());
}

std::uint32_t crc32c(bytes_view data) noexcept
{
#if defined(__x86_64__)
    if (cpu_has_sse42()) return ~crc32c_sse42(~0u, data.data(), data.size());
#endif
    return crc32c_software(data);
}

} // namespace kspout::wire
