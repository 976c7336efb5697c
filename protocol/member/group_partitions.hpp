// The partitions a broker-managed group member owns: fetched by the engine, announced once their start is known, revoked through the listener, committed as the member.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/fetch_engine.hpp"
#include "protocol/io/offset_manager.hpp"
#include "protocol/log/logger.hpp"
#include "protocol/member/group_member.hpp"
#include "protocol/member/start_announcer.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>
#include <set>

namespace kspout::member {

// Shared by the classic and the KIP-848 member: what to do with partitions is the protocol's
// decision; this class carries it out on the fetching engine and the owner (member_listener).
// A partition is held (paused) until its start offset is known and on_assigned told; one handed
// to on_revoking stays committable until its done().
class group_partitions : public std::enable_shared_from_this<group_partitions> {
public:
    // make_engine: the fetching engine (empty: our simple_consumer). Throws std::invalid_argument
    // for an engine the options do not allow.
    static std::shared_ptr<group_partitions> create(boost::asio::any_io_executor executor,
                                                    std::shared_ptr<io::cluster> cluster,
                                                    io::consumer_options consumer, member_listener listener,
                                                    log::logger log, const io::fetch_engine_factory& make_engine);

    // For the log line that announces partitions.
    void set_member_id(std::string id) { member_id_ = std::move(id); }

    std::error_code assign(const std::vector<std::int32_t>& partitions);
    // Stops fetching them and hands them to on_revoking; done() once the owner finished. Lost
    // partitions are someone else's already: nothing of them is committed from now on.
    void revoke(const std::vector<std::int32_t>& partitions, bool lost, std::function<void()> done);
    // Commits the offsets of announced or revoking partitions as `identity` (none: outside the
    // group, everything refused). refused(code): the broker refused the commit with that code.
    void commit(std::map<std::int32_t, std::int64_t> offsets, std::optional<io::group_member_identity> identity,
                group_member::commit_handler handler, std::function<void(std::int16_t)> refused);
    // No more announcements (the member is stopping); stop() ends fetching and commits.
    void hold_announcements() { holding_ = true; }
    void stop();

    std::span<const io::consumer_message> poll(std::size_t max_messages);
    void async_wait_data(group_member::wait_handler handler);
    std::error_code seek(std::int32_t partition, std::int64_t offset);
    void pause(std::int32_t partition);
    void resume(std::int32_t partition);
    std::vector<std::int32_t> owned() const
    {
        return {announcer_.announced_partitions().begin(), announcer_.announced_partitions().end()};
    }
    std::optional<std::int64_t> position(std::int32_t partition) const { return consumer_->position(partition); }
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const
    {
        return consumer_->high_watermark(partition);
    }

private:
    group_partitions(boost::asio::any_io_executor executor, io::consumer_options consumer, member_listener listener,
                     log::logger log);
    void arm_announce_timer();
    void announce_ready();
    void apply_pause(std::int32_t partition);

    boost::asio::any_io_executor executor_;
    io::consumer_options options_;
    member_listener listener_;
    log::logger log_;
    std::shared_ptr<io::fetch_engine> consumer_;
    std::shared_ptr<io::offset_manager> offsets_;
    start_announcer announcer_; // told to the listener: a subset of assigned_
    std::string member_id_;

    std::set<std::int32_t> assigned_;  // handed to the engine
    std::set<std::int32_t> revoking_;  // handed to on_revoking, still committable until done
    std::set<std::int32_t> user_paused_;
    bool holding_ = false;
    bool stopped_ = false;
};

} // namespace kspout::member
