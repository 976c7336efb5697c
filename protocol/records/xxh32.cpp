// XXH32 as specified by the xxHash project: 16-byte stripes, then 4- and 1-byte tails.
#include "protocol/records/xxh32.hpp"

#include <bit>

namespace kspout::records {
namespace {

constexpr std::uint32_t prime1 = 2654435761u;
constexpr std::uint32_t prime2 = 2246822519u;
constexpr std::uint32_t prime3 = 3266489917u;
constexpr std::uint32_t prime4 = 668265263u;
constexpr std::uint32_t prime5 = 374761393u;

std::uint32_t load_le32(const std::uint8_t* p) noexcept
{
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

std::uint32_t round(std::uint32_t acc, std::uint32_t input) noexcept
{
    acc += input * prime2;
    return std::rotl(acc, 13) * prime1;
}

} // namespace

std::uint32_t xxh32(wire::bytes_view data, std::uint32_t seed) noexcept
{
    const std::uint8_t* p = data.data();
    const std::uint8_t* end = p + data.size();
    std::uint32_t h = 0;
    if (data.size() >= 16) {
        std::uint32_t v1 = seed + prime1 + prime2;
        std::uint32_t v2 = seed + prime2;
        std::uint32_t v3 = seed;
        std::uint32_t v4 = seed - prime1;
        for (; end - p >= 16; p += 16) {
            v1 = round(v1, load_le32(p));
            v2 = round(v2, load_le32(p + 4));
            v3 = round(v3, load_le32(p + 8));
            v4 = round(v4, load_le32(p + 12));
        }
        h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    } else {
        h = seed + prime5;
    }
    h += static_cast<std::uint32_t>(data.size());
    for (; end - p >= 4; p += 4) {
        h += load_le32(p) * prime3;
        h = std::rotl(h, 17) * prime4;
    }
    for (; p < end; ++p) {
        h += *p * prime5;
        h = std::rotl(h, 11) * prime1;
    }
    h ^= h >> 15;
    h *= prime2;
    h ^= h >> 13;
    h *= prime3;
    h ^= h >> 16;
    return h;
}

} // namespace kspout::records
