// What a group member drives, whichever client does the fetching: partitions in, messages and commits out.
#pragma once

#include "protocol/io/consumer_error.hpp"
#include "protocol/io/consumer_options.hpp"
#include "protocol/io/consumer_partition.hpp"
#include "protocol/io/message_buffer.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace kspout::io {

// Implemented by simple_consumer (our client) and by rdkafka::rdkafka_consumer (librdkafka). Every
// member is called from the executor's thread; handlers and callbacks are posted, never run inside
// a call. The semantics are simple_consumer's (see there); where an engine differs, it says so.
class fetch_engine {
public:
    using wait_handler = std::function<void(std::error_code)>;
    using error_callback = std::function<void(const consumer_error&)>;
    using commit_handler = std::function<void(std::error_code)>;
    // Committed offsets by partition, -1 where the group has none; every asked partition is listed.
    using committed_handler = std::function<void(std::error_code, std::map<std::int32_t, std::int64_t>)>;

    virtual ~fetch_engine() = default;

    virtual std::error_code assign(const std::vector<partition_start>& partitions) = 0;
    virtual void revoke(const std::vector<std::int32_t>& partitions) = 0;
    virtual std::vector<std::int32_t> assignment() const = 0;

    virtual std::error_code pause(std::int32_t partition) = 0;
    virtual std::error_code resume(std::int32_t partition) = 0;
    virtual std::error_code seek(std::int32_t partition, std::int64_t offset) = 0;

    // Valid until the next poll(), seek(), revoke() or stop().
    virtual std::span<const consumer_message> poll(std::size_t max_messages) = 0;
    virtual void async_wait_data(wait_handler handler) = 0;
    virtual void on_error(error_callback callback) = 0;

    virtual std::optional<std::int64_t> position(std::int32_t partition) const = 0;
    virtual std::optional<std::int64_t> high_watermark(std::int32_t partition) const = 0;
    virtual std::optional<partition_phase> phase(std::int32_t partition) const = 0;

    // The commit is sent only until send_by; after that it fails with consumer_errc::commit_window_closed
    // and nothing of it reaches a broker. A member that owns its partitions only while a lease holds
    // passes the lease's end: a commit sent later could land under the next owner and move the
    // group's offset back.
    virtual void commit(std::map<std::int32_t, std::int64_t> offsets, std::chrono::steady_clock::time_point send_by,
                        commit_handler handler) = 0;
    // Without a window of its own; the engine's request timeout still ends it.
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler)
    {
        commit(std::move(offsets), std::chrono::steady_clock::time_point::max(), std::move(handler));
    }
    virtual void fetch_committed(std::vector<std::int32_t> partitions, committed_handler handler) = 0;
    virtual void stop() = 0;
};

class cluster;

// Makes the engine a group member fetches with, for these options, on the member's cluster (which
// the rdkafka engine does not use). Throws std::invalid_argument for options it cannot take.
using fetch_engine_factory =
    std::function<std::shared_ptr<fetch_engine>(const std::shared_ptr<cluster>&, const consumer_options&)>;

} // namespace kspout::io
