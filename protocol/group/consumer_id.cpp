// Consumer ids: random version 4 UUIDs and the host name, joined the way pykafka joins them.
#include "protocol/group/consumer_id.hpp"

#include <random>

#include <climits>
#include <unistd.h>

namespace kspout::group {

std::string format_uuid4(std::array<std::uint8_t, 16> random_bytes)
{
    random_bytes[6] = static_cast<std::uint8_t>((random_bytes[6] & 0x0f) | 0x40); // version 4
    random_bytes[8] = static_cast<std::uint8_t>((random_bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(36);
    for (std::size_t i = 0; i < random_bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            text += '-';
        text += digits[random_bytes[i] >> 4];
        text += digits[random_bytes[i] & 0x0f];
    }
    return text;
}

std::string random_uuid4()
{
    std::random_device source;
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
        auto word = static_cast<std::uint32_t>(source());
        for (std::size_t j = 0; j < 4; ++j)
            bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
    return format_uuid4(bytes);
}

std::string local_hostname()
{
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
        return "localhost";
    return name;
}

std::string make_consumer_id(std::string_view hostname, std::string_view uuid)
{
    std::string id;
    id.reserve(hostname.size() + 1 + uuid.size());
    id += hostname;
    id += ':';
    id += uuid;
    return id;
}

std::string make_consumer_id()
{
    return make_consumer_id(local_hostname(), random_uuid4());
}

} // namespace kspout::group
