// The byte stream a broker connection runs over: TCP in production, in-memory in tests.
#pragma once

#include "protocol/wire/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <system_error>

namespace kspout::io {

// Completion handlers run on the connection's executor. A closed stream completes every
// pending operation with an error.
class byte_stream {
public:
    using io_handler = std::function<void(std::error_code, std::size_t)>;

    virtual ~byte_stream() = default;
    virtual void async_read_some(std::span<std::uint8_t> buffer, io_handler handler) = 0;
    virtual void async_write_all(wire::bytes_view data, io_handler handler) = 0;
    virtual void close() = 0;
};

} // namespace kspout::io
