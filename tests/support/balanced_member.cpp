// kspout-balanced-member: one group member as a process, for multi-process tests and benches; reports on stdout.
//
// Arguments: --bootstrap=H:P --zookeeper=H:P --topic=T --group=G [--session-timeout-ms=N]
//            [--metadata-check-ms=N] [--static=INDEX/COUNT]
//            [--mode=zookeeper|classic|cooperative|kip848] [--instance-id=ID] [--heartbeat-ms=N]
//            [--start=earliest|latest] [--commit-interval-ms=N]
// The mode (default zookeeper) says who coordinates the group: ZooKeeper, or the broker with its
// classic protocol (range or cooperative-sticky) or KIP-848's; --instance-id makes a broker-managed
// member static.
// Lines on stdout:
//   id <consumer id>                      once, at start
//   session <id> <password hex>           whenever the ZooKeeper session changes (zookeeper mode)
//   assigned <p>=<start offset> ...       on_assigned
//   revoking <p> ...                      on_revoking; it then commits what it returned
//   committed <p>=<offset> ... <ok|error> the commit made in on_revoking
//   msg <p> <offset> <ns>                 every message returned, in order, with the steady clock
//                                         (CLOCK_MONOTONIC, comparable across processes) in ns
//   error <text>                          on_error
//   stopped                               after stop() completed
// It stops on SIGTERM, SIGINT or end of stdin. It commits what it consumed in on_revoking and,
// with --commit-interval-ms, also on that timer (silently).
#include "protocol/balanced/balanced_consumer.hpp"
#include "tests/support/member_setup.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>

#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using kspout::balanced::balanced_consumer;
using kspout::member::group_member;

struct arguments {
    std::map<std::string, std::string> values;

    std::string get(const std::string& key, std::string fallback = {}) const
    {
        auto it = values.find(key);
        return it == values.end() ? fallback : it->second;
    }
};

arguments parse(int argc, char** argv)
{
    arguments a;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (!arg.starts_with("--"))
            continue;
        auto eq = arg.find('=');
        if (eq == std::string_view::npos)
            a.values[std::string(arg.substr(2))] = "1";
        else
            a.values[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
    }
    return a;
}

void emit(const std::string& line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        auto u = static_cast<unsigned char>(c);
        out += digits[u >> 4];
        out += digits[u & 0x0f];
    }
    return out;
}

class member {
public:
    member(boost::asio::io_context& ioc, const arguments& args)
        : ioc_(ioc), session_timer_(ioc), commit_timer_(ioc), signals_(ioc, SIGTERM, SIGINT),
          input_(ioc, ::dup(STDIN_FILENO))
    {
        kspout::testing::member_setup setup;
        setup.mode = *kspout::testing::parse_member_mode(args.get("mode", "zookeeper")); // checked in main
        setup.bootstrap = args.get("bootstrap");
        setup.zookeeper = args.get("zookeeper");
        setup.topic = args.get("topic");
        setup.group = args.get("group");
        setup.session_timeout = std::chrono::milliseconds(std::stoi(args.get("session-timeout-ms", "2000")));
        setup.heartbeat_interval = std::chrono::milliseconds(std::stoi(args.get("heartbeat-ms", "500")));
        if (std::string id = args.get("instance-id"); !id.empty())
            setup.instance_id = id;
        if (args.get("start") == "latest")
            setup.start_from = kspout::io::offset_reset::latest;
        commit_interval_ = std::chrono::milliseconds(std::stoi(args.get("commit-interval-ms", "0")));
        kspout::member::member_options o = kspout::testing::make_member_options(setup);
        o.group.metadata_check_interval = std::chrono::milliseconds(std::stoi(args.get("metadata-check-ms", "500")));
        if (std::string s = args.get("static"); !s.empty()) {
            auto slash = s.find('/');
            o.group.fixed =
                kspout::balanced::static_member{std::stoi(s.substr(0, slash)), std::stoi(s.substr(slash + 1))};
        }

        kspout::balanced::balanced_listener l;
        l.on_assigned = [this](const std::map<std::int32_t, std::int64_t>& starts) {
            std::string line = "assigned";
            for (const auto& [p, offset] : starts) {
                line += " " + std::to_string(p) + "=" + std::to_string(offset);
                consumed_[p] = offset; // a commit from an earlier stretch would move the offset back
            }
            emit(line);
        };
        l.on_revoking = [this](const std::vector<std::int32_t>& partitions, std::function<void()> done) {
            std::string line = "revoking";
            std::map<std::int32_t, std::int64_t> offsets;
            for (std::int32_t p : partitions) {
                line += " " + std::to_string(p);
                if (auto it = consumed_.find(p); it != consumed_.end())
                    offsets[p] = it->second;
            }
            emit(line);
            if (offsets.empty()) {
                done();
                return;
            }
            consumer_->commit(offsets, [offsets, done = std::move(done)](std::error_code ec) {
                std::string text = "committed";
                for (const auto& [p, offset] : offsets)
                    text += " " + std::to_string(p) + "=" + std::to_string(offset);
                emit(text + (ec ? " error" : " ok"));
                done();
            });
        };
        l.on_error = [](std::error_code, const std::string& what) { emit("error " + what); };

        kspout::log::logger log;
        log.threshold = kspout::log::log_level::info;
        log.sink = [](kspout::log::log_level level, std::string_view text) {
            std::cerr << kspout::log::level_name(level) << ": " << text << "\n";
        };
        consumer_ = kspout::member::make_group_member(ioc.get_executor(), std::move(o), std::move(l), log);
        balanced_ = std::dynamic_pointer_cast<balanced_consumer>(consumer_);
    }

    void start()
    {
        emit("id " + consumer_->consumer_id());
        consumer_->start();
        wait_data();
        watch_session();
        commit_on_timer();
        signals_.async_wait([this](std::error_code ec, int) {
            if (!ec)
                stop();
        });
        watch_input();
    }

private:
    void wait_data()
    {
        consumer_->async_wait_data([this](std::error_code ec) {
            if (ec || stopping_)
                return;
            std::string text;
            for (;;) {
                auto batch = consumer_->poll(500);
                if (batch.empty())
                    break;
                auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
                for (const auto& m : batch) {
                    text += "msg " + std::to_string(m.partition) + " " + std::to_string(m.offset) + " " +
                            std::to_string(now) + "\n";
                    auto& next = consumed_[m.partition];
                    next = std::max(next, m.offset + 1);
                }
            }
            if (!text.empty()) {
                std::fwrite(text.data(), 1, text.size(), stdout);
                std::fflush(stdout);
            }
            wait_data();
        });
    }

    void watch_session()
    {
        if (!balanced_)
            return;
        if (auto s = balanced_->zookeeper_session(); s && s->id != session_id_) {
            session_id_ = s->id;
            emit("session " + std::to_string(s->id) + " " + hex(s->password));
        }
        session_timer_.expires_after(20ms);
        session_timer_.async_wait([this](std::error_code ec) {
            if (!ec && !stopping_)
                watch_session();
        });
    }

    void commit_on_timer()
    {
        if (commit_interval_.count() <= 0)
            return;
        commit_timer_.expires_after(commit_interval_);
        commit_timer_.async_wait([this](std::error_code ec) {
            if (ec || stopping_)
                return;
            std::map<std::int32_t, std::int64_t> offsets;
            for (std::int32_t p : consumer_->owned())
                if (auto it = consumed_.find(p); it != consumed_.end())
                    offsets[p] = it->second;
            if (!offsets.empty())
                consumer_->commit(offsets, [](std::error_code) {});
            commit_on_timer();
        });
    }

    void watch_input()
    {
        input_.async_read_some(boost::asio::buffer(input_buffer_), [this](std::error_code ec, std::size_t) {
            if (ec) {
                stop();
                return;
            }
            watch_input();
        });
    }

    void stop()
    {
        if (stopping_)
            return;
        stopping_ = true;
        session_timer_.cancel();
        commit_timer_.cancel();
        signals_.cancel();
        consumer_->stop([this] {
            emit("stopped");
            boost::system::error_code ignored;
            input_.close(ignored);
            ioc_.stop();
        });
    }

    boost::asio::io_context& ioc_;
    boost::asio::steady_timer session_timer_;
    boost::asio::steady_timer commit_timer_;
    std::chrono::milliseconds commit_interval_{0};
    boost::asio::signal_set signals_;
    boost::asio::posix::stream_descriptor input_;
    std::array<char, 256> input_buffer_{};
    std::shared_ptr<group_member> consumer_;
    std::shared_ptr<balanced_consumer> balanced_; // zookeeper mode: its session is reported
    std::map<std::int32_t, std::int64_t> consumed_;
    std::int64_t session_id_ = 0;
    bool stopping_ = false;
};

} // namespace

int main(int argc, char** argv)
{
    arguments args = parse(argc, argv);
    for (const char* key : {"bootstrap", "topic"}) {
        if (args.get(key).empty()) {
            std::cerr << "kspout-balanced-member: --" << key << "= is required\n";
            return 2;
        }
    }
    if (!kspout::testing::parse_member_mode(args.get("mode", "zookeeper"))) {
        std::cerr << "kspout-balanced-member: --mode= is zookeeper, classic, cooperative or kip848\n";
        return 2;
    }
    boost::asio::io_context ioc;
    member m(ioc, args);
    m.start();
    ioc.run();
    return 0;
}
