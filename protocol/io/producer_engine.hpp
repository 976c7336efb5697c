// What the bolt drives, whichever client produces: records in, one delivery report each out.
#pragma once

#include "protocol/io/produce_batch.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace kspout::io {

// Implemented by producer (our client) and by rdkafka::rdkafka_producer (librdkafka). Called from
// the executor's thread; handlers run there, never inside a call. The semantics are producer's
// (see there); where an engine differs, it says so.
class producer_engine {
public:
    using flush_handler = std::function<void(std::error_code)>;

    virtual ~producer_engine() = default;

    // The key and value are copied before produce() returns.
    virtual std::error_code produce(std::string_view topic, std::optional<std::int32_t> partition,
                                    std::optional<std::string_view> key, std::optional<std::string_view> value,
                                    std::vector<record_header> headers = {},
                                    std::optional<std::int64_t> timestamp = std::nullopt,
                                    delivery_handler on_delivery = {}) = 0;
    virtual void flush(flush_handler done) = 0;
    virtual void stop() = 0;
    virtual bool has_room(std::optional<std::string_view> key, std::optional<std::string_view> value,
                          const std::vector<record_header>& headers) const = 0;
    virtual std::size_t outstanding() const = 0; // records not yet reported
};

} // namespace kspout::io
