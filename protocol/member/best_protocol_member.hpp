// A broker-managed group member on the best protocol the coordinator offers: KIP-848's, else the classic one.
#pragma once

#include "protocol/log/logger.hpp"
#include "protocol/member/group_member.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace kspout::member {

// Starts the preferred member; if it reports that the coordinator lacks its protocol
// (UNSUPPORTED_VERSION, before it ever owned a partition), stops it and starts the fallback with
// the same listener. Everything else is the current member's.
class best_protocol_member final : public group_member, public std::enable_shared_from_this<best_protocol_member> {
public:
    using maker = std::function<std::shared_ptr<group_member>(member_listener)>;

    static std::shared_ptr<best_protocol_member> create(boost::asio::any_io_executor executor, maker preferred,
                                                        maker fallback, member_listener listener, log::logger log);

    void start() override;
    void stop(std::function<void()> done) override;

    std::span<const io::consumer_message> poll(std::size_t max_messages) override { return current_->poll(max_messages); }
    void async_wait_data(wait_handler handler) override;
    std::error_code seek(std::int32_t partition, std::int64_t offset) override { return current_->seek(partition, offset); }
    std::error_code pause(std::int32_t partition) override;
    std::error_code resume(std::int32_t partition) override;
    void commit(std::map<std::int32_t, std::int64_t> offsets, commit_handler handler) override
    {
        current_->commit(std::move(offsets), std::move(handler));
    }

    std::vector<std::int32_t> owned() const override { return current_->owned(); }
    const std::string& consumer_id() const noexcept override { return current_->consumer_id(); }
    std::optional<std::int64_t> position(std::int32_t partition) const override { return current_->position(partition); }
    std::optional<std::int64_t> high_watermark(std::int32_t partition) const override
    {
        return current_->high_watermark(partition);
    }

private:
    best_protocol_member(boost::asio::any_io_executor executor, maker fallback, member_listener listener,
                         log::logger log);
    member_listener relay();
    void fall_back();

    boost::asio::any_io_executor executor_;
    maker fallback_;
    member_listener listener_;
    log::logger log_;
    std::shared_ptr<group_member> current_;
    std::set<std::int32_t> paused_; // applied to the fallback too
    std::vector<wait_handler> waiting_; // async_wait_data calls made while the members switch
    bool switching_ = false;
    bool fell_back_ = false;
    bool stopping_ = false;
    std::function<void()> stop_done_;
};

} // namespace kspout::member
