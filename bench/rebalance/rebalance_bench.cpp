// Rebalance latency of a group member in each coordination mode (ZooKeeper; the broker's classic
// protocol, eager and cooperative; KIP-848), on one real Kafka 4.x broker: a member killed, a member
// joining, a static member restarted, and the same at scale.
//
// One ZooKeeper server and one Kafka broker (KRaft) for the whole run, with the same session timeout
// in every mode; our producer adds a message to every partition every tick. Per mode, group size N
// and run, in a fresh group: N - 1 members in this process plus one kspout-balanced-member process
// settle; the process is SIGKILLed (timed until the N - 1 own every partition and each partition
// has delivered a message again); then a new member joins, timed the same way from its start().
// In the static rows every member has a group.instance.id, and the process is stopped and started
// again with its id: timed from the restart until all consume, with the assignment changes the
// other members saw. Every member commits what it consumed each second and when it gives a
// partition up. Prints medians over the runs.
//
// Options: --modes=zookeeper,classic,cooperative,kip848 --sizes=2,3,5,9 --runs=3 --partitions=64
//          --session-timeout-ms=2000 --tick-ms=10 --static=1 (0: no static rows)
//          --scale=32,64 --scale-partitions=1024 --scale-tick-ms=200 (--scale= : none)
//          --peer-sizes=3,9 (--peer-sizes= : none) --peer-python=PATH (a python with confluent-kafka)
//
// Beside librdkafka: in the peer table every member is a process, ours (kspout-balanced-member)
// or librdkafka's (librdkafka_member.py on confluent-kafka), in the same group sizes and events,
// each timed from the moment its process says it runs.
#include "bench/rebalance/bench_group.hpp"
#include "bench/rebalance/bench_settings.hpp"
#include "bench/rebalance/member_process.hpp"
#include "bench/rebalance/process_group.hpp"
#include "protocol/io/producer.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using kspout::bench::bench_group;
using kspout::bench::clock_type;
using kspout::bench::member_process;
using kspout::bench::process_group;
using kspout::bench::settings;
using kspout::testing::member_mode;
namespace io = kspout::io;

// One measured event: when every partition was owned again, when every partition had delivered a
// message produced after the event, and what the group's members counted meanwhile.
struct sample {
    double owned_ms = 0;
    double consuming_ms = 0;
    bench_group::counters seen;
    bool finished = true;
};

double ms_since(clock_type::time_point t)
{
    return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The broker's group timing, for every mode alike: the session timeout asked for, heartbeats a
// quarter of it; KIP-848 members take both from the broker.
kspout::testing::kafka_broker_options broker_options(std::chrono::milliseconds session)
{
    std::string ms = std::to_string(session.count());
    std::string beat = std::to_string(session.count() / 4);
    kspout::testing::kafka_broker_options o;
    o.properties = {{"group.min.session.timeout.ms", "500"},
                    {"group.consumer.min.session.timeout.ms", ms},
                    {"group.consumer.session.timeout.ms", ms},
                    {"group.consumer.min.heartbeat.interval.ms", beat},
                    {"group.consumer.heartbeat.interval.ms", beat}};
    return o;
}

// 64 members' sessions, owner nodes and watches stall a 128 MB ZooKeeper in garbage collection.
kspout::testing::zookeeper_server_options zookeeper_options()
{
    kspout::testing::zookeeper_server_options o;
    o.max_heap = "512m";
    return o;
}

struct run_result {
    sample kill, join;
};

class bench {
public:
    explicit bench(settings s)
        : settings_(std::move(s)),
          broker_(broker_options(settings_.session_timeout)),
          producer_timer_(ioc_)
    {
    }

    int run()
    {
        broker_.create_topic(topic_, settings_.partitions);
        if (!settings_.scale.empty())
            broker_.create_topic(scale_topic_, settings_.scale_partitions);
        start_producer();
        std::printf("Kafka %s (KRaft, one node), ZooKeeper session / classic session / KIP-848 session %lld ms, "
                    "heartbeats a quarter of it; medians of %d runs\n",
                    broker_.version().c_str(), static_cast<long long>(settings_.session_timeout.count()),
                    settings_.runs);
        dynamic_table();
        if (settings_.static_rows)
            static_table();
        if (!settings_.peer_sizes.empty())
            peer_table();
        if (!settings_.scale.empty())
            scale_table();
        producer_timer_.cancel();
        producer_->stop();
        producer_cluster_->shut_down();
        ioc_.restart();
        ioc_.run_for(50ms);
        return 0;
    }

private:
    // --- the group under test -------------------------------------------------------------------

    kspout::testing::member_setup setup(member_mode mode, const std::string& topic, const std::string& group) const
    {
        kspout::testing::member_setup s;
        s.mode = mode;
        s.bootstrap = broker_.bootstrap();
        s.zookeeper = zookeeper_.connect_string();
        s.topic = topic;
        s.group = group;
        s.session_timeout = settings_.session_timeout;
        s.heartbeat_interval = settings_.session_timeout / 4;
        s.start_from = io::offset_reset::latest;
        return s;
    }

    std::vector<std::string> process_argv(const kspout::testing::member_setup& s) const
    {
        std::vector<std::string> argv{KSPOUT_BALANCED_MEMBER_BIN,
                                      "--mode=" + std::string(kspout::testing::member_mode_name(s.mode)),
                                      "--bootstrap=" + s.bootstrap,
                                      "--zookeeper=" + s.zookeeper,
                                      "--topic=" + s.topic,
                                      "--group=" + s.group,
                                      "--session-timeout-ms=" + std::to_string(s.session_timeout.count()),
                                      "--heartbeat-ms=" + std::to_string(s.heartbeat_interval.count()),
                                      "--start=latest",
                                      "--commit-interval-ms=1000"};
        if (s.instance_id)
            argv.push_back("--instance-id=" + *s.instance_id);
        return argv;
    }

    // Group: bench_group or process_group.
    template <typename Group, typename Predicate>
    bool pump_until(Group& group, Predicate done, std::chrono::seconds limit = 90s)
    {
        auto deadline = clock_type::now() + limit;
        while (!done()) {
            if (clock_type::now() > deadline)
                return false;
            group.pump();
        }
        return true;
    }

    sample measure(bench_group& group, clock_type::time_point event, member_process* process = nullptr)
    {
        sample s;
        bool owned = false;
        s.finished = pump_until(group, [&] {
            if (process)
                process->read(group);
            bool all = process ? process->share().size() + group.owned_here() ==
                                         static_cast<std::size_t>(group.partitions()) &&
                                     group.delivered_all_since(event)
                               : group.all_consuming_since(event);
            if (!owned && (process ? all : group.all_owned())) {
                owned = true;
                s.owned_ms = ms_since(event);
            }
            return all;
        });
        s.consuming_ms = ms_since(event);
        s.seen = group.seen();
        if (!s.finished)
            std::fprintf(stderr, "did not finish: %s; %zu records not yet acknowledged by the broker\n",
                         group.why_not_consuming(event).c_str(), producer_->outstanding());
        return s;
    }

    // N - 1 members here and one process settle; the group is then quiet for a moment.
    bool settle(bench_group& group, member_process& process, int size, int partitions)
    {
        return pump_until(group, [&] {
            process.read(group);
            return group.size() == static_cast<std::size_t>(size - 1) &&
                   group.owned_here() + process.share().size() == static_cast<std::size_t>(partitions) &&
                   !process.share().empty();
        });
    }

    // Members that settled together heartbeat and commit in step, so an event a fixed time after
    // settling would always meet them at the same phase: the wait is 1.5 s (longer than the commit
    // interval, so every member has committed what it took over) plus a random part up to a second.
    clock_type::time_point event_time()
    {
        std::uniform_int_distribution<int> jitter(0, 1000);
        return clock_type::now() + 1500ms + std::chrono::milliseconds(jitter(random_));
    }

    void quiet(bench_group& group, member_process* process)
    {
        auto until = event_time();
        while (clock_type::now() < until) {
            group.pump();
            if (process)
                process->read(group);
        }
    }

    run_result kill_and_join(member_mode mode, const std::string& topic, int partitions, int size)
    {
        std::string name = "bench-" + std::to_string(++group_number_);
        auto s = setup(mode, topic, name);
        bench_group group(ioc_, s, partitions, 1000ms);
        for (int i = 0; i < size - 1; ++i)
            group.add();
        member_process victim(process_argv(s));
        run_result r;
        if (!settle(group, victim, size, partitions)) {
            std::fprintf(stderr, "%s size %d: the group did not settle\n", std::string(member_mode_name(mode)).c_str(), size);
            r.kill.finished = r.join.finished = false;
            group.stop_all();
            return r;
        }
        quiet(group, &victim);
        group.reset_counters();

        auto killed_at = clock_type::now();
        victim.child().kill(SIGKILL);
        victim.child().wait(10s);
        victim.read(group); // what it consumed before it died
        r.kill = measure(group, killed_at);

        quiet(group, nullptr);
        group.reset_counters();
        auto joined_at = clock_type::now();
        if (std::getenv("KSPOUT_BENCH_LOG"))
            std::fprintf(stderr, "%lld join\n", static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     joined_at.time_since_epoch()).count()));
        group.add();
        r.join = measure(group, joined_at);
        group.stop_all();
        return r;
    }

    // Static members: the process stops cleanly and starts again with its instance id.
    sample static_restart(member_mode mode, int size)
    {
        std::string name = "bench-" + std::to_string(++group_number_);
        auto s = setup(mode, topic_, name);
        bench_group group(ioc_, s, settings_.partitions, 1000ms);
        for (int i = 0; i < size - 1; ++i)
            group.add("member-" + std::to_string(i));
        s.instance_id = "member-restarted";
        member_process first(process_argv(s));
        if (!settle(group, first, size, settings_.partitions)) {
            std::fprintf(stderr, "static %s size %d: the group did not settle\n",
                         std::string(member_mode_name(mode)).c_str(), size);
            group.stop_all();
            sample failed;
            failed.finished = false;
            return failed;
        }
        quiet(group, &first);
        group.reset_counters();

        first.child().close_stdin();
        pump_until(group, [&] {
            first.read(group);
            return first.child().wait(0ms);
        });
        first.read(group);
        auto restarted_at = clock_type::now();
        member_process second(process_argv(s));
        sample out = measure(group, restarted_at, &second);
        group.stop_all();
        return out;
    }

    // --- tables -------------------------------------------------------------------------------------

    static std::string mode_label(member_mode mode)
    {
        switch (mode) {
        case member_mode::zookeeper: return "ZooKeeper (pykafka layout)";
        case member_mode::classic_eager: return "classic, range (eager)";
        case member_mode::classic_cooperative: return "classic, cooperative-sticky";
        case member_mode::kip848: return "KIP-848";
        }
        return "?";
    }

    static std::string ms_or_dash(const std::vector<sample>& v, double sample::*field)
    {
        std::vector<double> values;
        for (const auto& s : v) {
            if (!s.finished)
                return "did not finish";
            values.push_back(s.*field);
        }
        char text[32];
        std::snprintf(text, sizeof text, "%.0f ms", median(values));
        return text;
    }

    static std::string count_median(const std::vector<sample>& v, std::size_t bench_group::counters::*field)
    {
        std::vector<double> values;
        for (const auto& s : v)
            values.push_back(static_cast<double>(s.seen.*field));
        char text[32];
        std::snprintf(text, sizeof text, "%.0f", median(values));
        return text;
    }

    static std::size_t total(const std::vector<sample>& v, std::size_t bench_group::counters::*field)
    {
        std::size_t n = 0;
        for (const auto& s : v)
            n += s.seen.*field;
        return n;
    }

    void dynamic_table()
    {
        std::printf("\n%d partitions, a message to each every %lld ms; a member killed (SIGKILL), then one joining\n\n",
                    settings_.partitions, static_cast<long long>(settings_.tick.count()));
        std::printf("| mode | group | kill: all consuming | kill minus session | kill: consumed twice | join: all owned | "
                    "join: all consuming | join: consumed twice | join: assignment changes | two owners |\n");
        std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (member_mode mode : settings_.modes) {
            for (int size : settings_.sizes) {
                std::vector<sample> kills, joins;
                for (int r = 0; r < settings_.runs; ++r) {
                    run_result one = kill_and_join(mode, topic_, settings_.partitions, size);
                    std::fprintf(stderr, "%s size %d run %d: kill %.0f ms (%zu twice); join %.0f/%.0f ms (%zu twice, %zu changes)\n",
                                 std::string(member_mode_name(mode)).c_str(), size, r + 1, one.kill.consuming_ms,
                                 one.kill.seen.duplicates, one.join.owned_ms, one.join.consuming_ms,
                                 one.join.seen.duplicates, one.join.seen.changes);
                    kills.push_back(one.kill);
                    joins.push_back(one.join);
                }
                std::vector<double> kill_ms;
                for (const auto& k : kills)
                    kill_ms.push_back(k.consuming_ms);
                std::printf("| %s | %d -> %d -> %d | %s | %.0f ms | %s | %s | %s | %s | %s | %zu |\n",
                            mode_label(mode).c_str(), size, size - 1, size,
                            ms_or_dash(kills, &sample::consuming_ms).c_str(),
                            median(kill_ms) - static_cast<double>(settings_.session_timeout.count()),
                            count_median(kills, &bench_group::counters::duplicates).c_str(),
                            ms_or_dash(joins, &sample::owned_ms).c_str(), ms_or_dash(joins, &sample::consuming_ms).c_str(),
                            count_median(joins, &bench_group::counters::duplicates).c_str(),
                            count_median(joins, &bench_group::counters::changes).c_str(),
                            total(kills, &bench_group::counters::two_owners) +
                                total(joins, &bench_group::counters::two_owners));
                std::fflush(stdout);
            }
        }
    }

    void static_table()
    {
        std::printf("\nStatic members (group.instance.id): one stopped cleanly and started again with its id\n\n");
        std::printf("| mode | group | restart: all consuming | changes the others saw | consumed twice |\n");
        std::printf("| --- | ---: | ---: | ---: | ---: |\n");
        for (member_mode mode : settings_.modes) {
            if (mode == member_mode::zookeeper)
                continue; // pykafka's layout has no static membership
            for (int size : settings_.sizes) {
                std::vector<sample> restarts;
                for (int r = 0; r < settings_.runs; ++r)
                    restarts.push_back(static_restart(mode, size));
                std::printf("| %s | %d | %s | %s | %s |\n", mode_label(mode).c_str(), size,
                            ms_or_dash(restarts, &sample::consuming_ms).c_str(),
                            count_median(restarts, &bench_group::counters::changes).c_str(),
                            count_median(restarts, &bench_group::counters::duplicates).c_str());
                std::fflush(stdout);
            }
        }
    }

    void scale_table()
    {
        std::printf("\nAt scale: %d partitions, a message to each every %lld ms; members share this process\n\n",
                    settings_.scale_partitions, static_cast<long long>(settings_.scale_tick.count()));
        std::printf("| mode | members | kill: all consuming | kill: assignment changes | join: all consuming | "
                    "join: assignment changes | two owners |\n");
        std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        scale_load_ = true;
        for (member_mode mode : settings_.modes) {
            for (int members : settings_.scale) {
                run_result one = kill_and_join(mode, scale_topic_, settings_.scale_partitions, members);
                std::printf("| %s | %d | %s | %zu | %s | %zu | %zu |\n", mode_label(mode).c_str(), members,
                            ms_or_dash({one.kill}, &sample::consuming_ms).c_str(), one.kill.seen.changes,
                            ms_or_dash({one.join}, &sample::consuming_ms).c_str(), one.join.seen.changes,
                            one.kill.seen.two_owners + one.join.seen.two_owners);
                std::fflush(stdout);
            }
        }
    }

    std::vector<std::string> librdkafka_argv(const kspout::testing::member_setup& s) const
    {
        std::vector<std::string> argv{settings_.peer_python,
                                      KSPOUT_SOURCE_DIR "/bench/rebalance/librdkafka_member.py",
                                      "--mode=" + std::string(kspout::testing::member_mode_name(s.mode)),
                                      "--bootstrap=" + s.bootstrap,
                                      "--topic=" + s.topic,
                                      "--group=" + s.group,
                                      "--session-timeout-ms=" + std::to_string(s.session_timeout.count()),
                                      "--heartbeat-ms=" + std::to_string(s.heartbeat_interval.count())};
        if (s.instance_id)
            argv.push_back("--instance-id=" + *s.instance_id);
        return argv;
    }

    // Starts a member process and returns once it says it runs: the moment its timing starts.
    clock_type::time_point start_process(process_group& group, const std::vector<std::string>& argv)
    {
        group.members.push_back(std::make_unique<member_process>(argv));
        member_process& m = *group.members.back();
        pump_until(group, [&] { return m.ready(); }, 30s);
        return clock_type::now();
    }

    sample measure(process_group& group, clock_type::time_point event)
    {
        sample s;
        s.finished = pump_until(group, [&] { return group.all_consuming_since(event); });
        s.consuming_ms = ms_since(event);
        s.seen = group.book.seen();
        return s;
    }

    struct peer_samples {
        std::vector<sample> kill, join, restart;
    };

    // Kill and join with dynamic members, then a restart with static ones.
    void peer_run(member_mode mode, int size, bool librdkafka, peer_samples& out)
    {
        auto argv = [&](const kspout::testing::member_setup& s) {
            return librdkafka ? librdkafka_argv(s) : process_argv(s);
        };
        for (bool statics : {false, true}) {
            auto s = setup(mode, topic_, "bench-" + std::to_string(++group_number_));
            process_group group{bench_group(ioc_, s, settings_.partitions, 0ms), {}};
            for (int i = 0; i < size; ++i) {
                if (statics)
                    s.instance_id = "member-" + std::to_string(i);
                start_process(group, argv(s));
            }
            if (!pump_until(group, [&] { return group.all_owned(); })) {
                std::fprintf(stderr, "%s %s size %d: the group did not settle\n", librdkafka ? "librdkafka" : "ours",
                             std::string(member_mode_name(mode)).c_str(), size);
                sample failed;
                failed.finished = false;
                (statics ? out.restart : out.kill).push_back(failed);
                group.stop_all();
                continue;
            }
            auto until = event_time();
            pump_until(group, [&] { return clock_type::now() >= until; });
            group.book.reset_counters();
            if (!statics) {
                auto killed_at = clock_type::now();
                group.members.back()->child().kill(SIGKILL);
                group.members.back()->child().wait(10s);
                group.members.back()->read(group.book);
                group.members.pop_back();
                out.kill.push_back(measure(group, killed_at));
                auto join_at = event_time();
                pump_until(group, [&] { return clock_type::now() >= join_at; });
                group.book.reset_counters();
                auto joined_at = start_process(group, argv(s));
                out.join.push_back(measure(group, joined_at));
            } else {
                member_process& last = *group.members.back();
                last.child().close_stdin();
                pump_until(group, [&] { return last.child().wait(0ms); });
                last.read(group.book);
                group.members.pop_back();
                auto restarted_at = start_process(group, argv(s));
                out.restart.push_back(measure(group, restarted_at));
            }
            group.stop_all();
        }
    }

    void peer_table()
    {
        std::printf("\nBeside librdkafka (confluent-kafka's, in Python): every member a process, timed from the moment the "
                    "process runs; %d partitions\n\n",
                    settings_.partitions);
        std::printf("| mode | group | client | kill: all consuming | join: all consuming | static restart: all consuming |\n");
        std::printf("| --- | ---: | --- | ---: | ---: | ---: |\n");
        for (member_mode mode : settings_.modes) {
            if (mode == member_mode::zookeeper)
                continue; // librdkafka has no ZooKeeper groups
            for (int size : settings_.peer_sizes) {
                std::map<bool, peer_samples> by_client;
                for (int r = 0; r < settings_.runs; ++r) {
                    for (bool librdkafka : {false, true})
                        peer_run(mode, size, librdkafka, by_client[librdkafka]);
                }
                for (bool librdkafka : {false, true}) {
                    const peer_samples& p = by_client[librdkafka];
                    std::printf("| %s | %d | %s | %s | %s | %s |\n", mode_label(mode).c_str(), size,
                                librdkafka ? "librdkafka" : "ours", ms_or_dash(p.kill, &sample::consuming_ms).c_str(),
                                ms_or_dash(p.join, &sample::consuming_ms).c_str(),
                                ms_or_dash(p.restart, &sample::consuming_ms).c_str());
                }
                auto ratio = [&](const std::vector<sample> peer_samples::*which) {
                    std::vector<double> ours, theirs;
                    for (const auto& s : by_client[false].*which)
                        ours.push_back(s.consuming_ms);
                    for (const auto& s : by_client[true].*which)
                        theirs.push_back(s.consuming_ms);
                    char text[32];
                    std::snprintf(text, sizeof text, "%.2fx", median(theirs) / std::max(1.0, median(ours)));
                    return std::string(text);
                };
                std::printf("| %s | %d | librdkafka / ours | %s | %s | %s |\n", mode_label(mode).c_str(), size,
                            ratio(&peer_samples::kill).c_str(), ratio(&peer_samples::join).c_str(),
                            ratio(&peer_samples::restart).c_str());
                std::fflush(stdout);
            }
        }
    }

    // --- load -------------------------------------------------------------------------------------

    void start_producer()
    {
        io::producer_options o;
        o.acks = 1;
        o.linger = 1ms;
        producer_cluster_ = io::cluster::create(ioc_.get_executor(), broker_.client_options());
        producer_ = io::producer::create(producer_cluster_, o);
        produce_tick();
    }

    void produce_tick()
    {
        if (!scale_load_) {
            for (int p = 0; p < settings_.partitions; ++p)
                producer_->produce(topic_, p, std::nullopt, "tick", {}, std::nullopt, {});
        } else {
            if (clock_type::now() >= next_scale_tick_) {
                for (int p = 0; p < settings_.scale_partitions; ++p)
                    producer_->produce(scale_topic_, p, std::nullopt, "tick", {}, std::nullopt, {});
                next_scale_tick_ = clock_type::now() + settings_.scale_tick;
            }
        }
        producer_timer_.expires_after(settings_.tick);
        producer_timer_.async_wait([this](std::error_code ec) {
            if (!ec)
                produce_tick();
        });
    }

    settings settings_;
    const std::string topic_ = "rebalance-bench";
    const std::string scale_topic_ = "rebalance-bench-scale";
    kspout::testing::zookeeper_server zookeeper_{zookeeper_options()};
    kspout::testing::kafka_broker broker_;
    boost::asio::io_context ioc_;
    std::shared_ptr<io::cluster> producer_cluster_;
    std::shared_ptr<io::producer> producer_;
    boost::asio::steady_timer producer_timer_;
    clock_type::time_point next_scale_tick_{};
    int group_number_ = 0;
    std::mt19937 random_{std::random_device{}()};
    bool scale_load_ = false; // while the scale table runs only the scale topic gets ticks, otherwise only the small one
};

} // namespace

int main(int argc, char** argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    try {
        bench b(kspout::bench::parse_settings(argc, argv));
        return b.run();
    } catch (const std::exception& e) {
        std::cerr << "kspout_bench_rebalance: " << e.what() << "\n";
        return 1;
    }
}
