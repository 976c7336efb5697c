// kspout-balanced-member: one balanced consumer as a process, for multi-process tests; reports on stdout.
//
// Arguments: --bootstrap=H:P --zookeeper=H:P --topic=T --group=G [--session-timeout-ms=N]
//            [--metadata-check-ms=N] [--static=INDEX/COUNT]
// Lines on stdout:
//   id <consumer id>                      once, at start
//   session <id> <password hex>           whenever the ZooKeeper session changes
//   assigned <p>=<start offset> ...       on_assigned
//   revoking <p> ...                      on_revoking; it then commits what it returned
//   committed <p>=<offset> ... <ok|error> the commit made in on_revoking
//   msg <p> <offset> <ns>                 every message returned, in order, with the steady clock
//                                         (CLOCK_MONOTONIC, comparable across processes) in ns
//   error <text>                          on_error
//   stopped                               after stop() completed
// It stops on SIGTERM, SIGINT or end of stdin; it never commits except in on_revoking.
#include "protocol/balanced/balanced_consumer.hpp"

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
        : ioc_(ioc), session_timer_(ioc), signals_(ioc, SIGTERM, SIGINT), input_(ioc, ::dup(STDIN_FILENO))
    {
        kspout::io::cluster_options cluster;
        cluster.bootstrap_servers = {args.get("bootstrap")};
        cluster.request_timeout = 5s;
        cluster.broker.reconnect_backoff = 20ms;
        cluster.broker.reconnect_backoff_max = 200ms;
        cluster.broker.connect_timeout = 2s;
        cluster.broker.api_versions_timeout = 2s;

        kspout::balanced::balanced_options o;
        o.topic = args.get("topic");
        o.group_id = args.get("group");
        o.zookeeper_connect = args.get("zookeeper");
        o.zookeeper_session_timeout = std::chrono::milliseconds(std::stoi(args.get("session-timeout-ms", "2000")));
        o.metadata_check_interval = std::chrono::milliseconds(std::stoi(args.get("metadata-check-ms", "500")));
        o.rebalance_backoff = 50ms;
        o.rebalance_backoff_max = 500ms;
        o.rebalance_deadline = 20s;
        if (std::string s = args.get("static"); !s.empty()) {
            auto slash = s.find('/');
            o.fixed = kspout::balanced::static_member{std::stoi(s.substr(0, slash)), std::stoi(s.substr(slash + 1))};
        }
        o.consumer.auto_offset_reset = kspout::io::offset_reset::earliest;
        o.consumer.fetch_max_wait = 50ms;
        o.consumer.retry_backoff = 30ms;
        o.consumer.request_timeout = 5s;

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
        consumer_ = balanced_consumer::create(ioc.get_executor(), cluster, o, std::move(l), log);
    }

    void start()
    {
        emit("id " + consumer_->consumer_id());
        consumer_->start();
        wait_data();
        watch_session();
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
        if (auto s = consumer_->zookeeper_session(); s && s->id != session_id_) {
            session_id_ = s->id;
            emit("session " + std::to_string(s->id) + " " + hex(s->password));
        }
        session_timer_.expires_after(20ms);
        session_timer_.async_wait([this](std::error_code ec) {
            if (!ec && !stopping_)
                watch_session();
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
    boost::asio::signal_set signals_;
    boost::asio::posix::stream_descriptor input_;
    std::array<char, 256> input_buffer_{};
    std::shared_ptr<balanced_consumer> consumer_;
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
    boost::asio::io_context ioc;
    member m(ioc, args);
    m.start();
    ioc.run();
    return 0;
}
