// pykafka's consumer id, "<hostname>:<uuid4>": one fresh id per consumer instance.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kspout::group {

// A version 4 UUID in its usual text form (lowercase, 8-4-4-4-12) from 16 random bytes; the
// version and variant bits are overwritten, as Python's uuid4() does.
std::string format_uuid4(std::array<std::uint8_t, 16> random_bytes);

// format_uuid4 over bytes from std::random_device.
std::string random_uuid4();

// What Python's socket.gethostname() gives (the node name); "localhost" if it cannot be read.
std::string local_hostname();

std::string make_consumer_id(std::string_view hostname, std::string_view uuid);
// make_consumer_id(local_hostname(), random_uuid4()).
std::string make_consumer_id();

} // namespace kspout::group
