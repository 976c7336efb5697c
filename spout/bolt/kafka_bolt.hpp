// The bolt itself: Storm's tuples on one side, our Producer on the other; a tuple is acked once its record is.
#pragma once

#include "multilang/bolt_session.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/io/producer_engine.hpp"
#include "spout/bolt/bolt_settings.hpp"
#include "spout/bolt/delivery_book.hpp"
#include "spout/bolt/record_mapping.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kspout::spout::bolt {

// One bolt task. Everything runs on one executor: Storm's pipes, the producer and the timers.
//
// The rules it keeps: a tuple is acked only after the broker acknowledged its record (with the
// configured acks), and failed when the producer gives up on it, so Storm replays it; a tuple
// that cannot become a record is failed with a log line naming what is wrong, or emitted on the
// error stream and acked. With max_in_flight tuples in hand the bolt stops reading its input,
// which is how Storm's ShellBolt queue pushes back upstream; but it opens the input again for
// one heartbeat every quarter of Storm's subprocess timeout, so Storm never finds it silent.
class kafka_bolt : public std::enable_shared_from_this<kafka_bolt> {
public:
    // Called once with the process exit code: 0 after Storm went away (stdin EOF or SIGTERM) and
    // the records in flight were settled or the close timeout ended; non-zero after bad input.
    using exit_handler = std::function<void(int)>;

    static std::shared_ptr<kafka_bolt> create(boost::asio::any_io_executor executor,
                                              std::shared_ptr<multilang::channel> channel, command_line flags,
                                              nlohmann::json config_file, std::int64_t pid, exit_handler on_exit);
    void start();
    // SIGTERM: as stdin EOF.
    void stop_on_signal() { on_end_of_input(); }

private:
    kafka_bolt(boost::asio::any_io_executor executor, std::shared_ptr<multilang::channel> channel,
               command_line flags, nlohmann::json config_file, std::int64_t pid, exit_handler on_exit);

    std::optional<std::string> on_handshake(const multilang::handshake& h);
    void on_tuple(const multilang::bolt_tuple& tuple);
    void on_heartbeat();
    void on_end_of_input();
    void on_protocol_error(const std::string& what);

    void refuse(const multilang::bolt_tuple& tuple, const std::string& why);
    void send(std::vector<delivery_book::sendable> batch);
    void on_delivered(std::uint64_t ticket, std::error_code ec, const std::string& topic, std::int32_t partition);
    void pace_input();
    void arm_guard_timer();
    void finish(int code);
    void log(const std::string& text, multilang::log_level level = multilang::log_level::info);

    boost::asio::any_io_executor executor_;
    std::shared_ptr<multilang::channel> channel_;
    command_line flags_;
    nlohmann::json config_file_;
    std::int64_t pid_;
    exit_handler on_exit_;
    std::shared_ptr<multilang::bolt_session> session_;

    bolt_settings settings_;
    std::optional<record_mapping> mapping_;
    std::optional<delivery_book> book_;
    std::shared_ptr<io::cluster> cluster_;
    std::shared_ptr<io::producer_engine> producer_;

    boost::asio::steady_timer guard_timer_; // while paused: when to let a heartbeat through
    boost::asio::steady_timer close_timer_;
    bool guard_open_ = false; // reading again, until the next heartbeat is answered
    bool stopping_ = false;
    bool finished_ = false;
};

} // namespace kspout::spout::bolt
