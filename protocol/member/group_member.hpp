// One member of a consumer group as its owner sees it: the partitions it is given, their
// messages, and commits. Whoever coordinates the group (ZooKeeper, a static split, the broker)
// stays behind this interface.
#pragma once

#include "protocol/io/consumer_message.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace kspout::member {

// Events the owner of a member handles. All run on the member's executor.
struct member_listener {
    // Before partitions are given up (rebalance, lost membership, stop): the member has already
    // stopped handing out their messages; the listener commits what it knows is processed and
    // calls done() (the member then lets the group know they are free). Late acks for these
    // partitions must be ignored by the listener from this call on.
    std::function<void(const std::vector<std::int32_t>& partitions, std::function<void()> done)> on_revoking;
    // Partitions now owned and being fetched, with the offset each starts from.
    std::function<void(const std::map<std::int32_t, std::int64_t>& starts)> on_assigned;
    // A failure the member could not recover from by itself, in one line.
    std::function<void(std::error_code, const std::string& what)> on_error;
};

// Lifecycle: start() joins the group, and fetching begins as partitions are assigned; stop()
// revokes everything through on_revoking, leaves the group and then calls done. Partitions are
// named by number: a member reads one topic.
class group_member {
public:
    using wait_handler = std::function<void(std::error_code)>;
    using commit_handler = std::function<void(std::error_code)>;

    virtual ~group_member() = default;

    virtual void start() = 0;
    virtual void stop(std::function<void()> done) = 0;

    // Buffered messages of owned partitions, never waiting; the views stay valid until the next
    // poll(), seek() or a revoke.
    virtual std::span<const io::consumer_message> poll(std::size_t max_messages) = 0;
    // Calls handler once poll() may return something (or the member stopped).
    virtual void async_wait_data(wait_handler handler) = 0;
    // Rewinds an owned partition (a replay after a failed tuple).
    virtual std::error_code seek(std::int32_t partition, std::int64_t offset) = 0;
    virtual std::error_code pause(std::int32_t partition) = 0;
    virtual std::error_code resume(std::int32_t partition) = 0;
    // Commits offsets ("next offset to read") of owned partitions, including those handed to
    // on_revoking until its done(); others are refused, the rest still committed, and the
    // handler told so.
    virtual void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler) = 0;

    virtual std::vector<std::int32_t> owned() const = 0;
    virtual const std::string& consumer_id() const noexcept = 0;
    virtual std::optional<std::int64_t> position(std::int32_t partition) const = 0;
    virtual std::optional<std::int64_t> high_watermark(std::int32_t partition) const = 0;
};

} // namespace kspout::member
