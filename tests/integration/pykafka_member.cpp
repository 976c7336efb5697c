// Runs pykafka_member.py as a child process and follows the events file it writes.
#include "tests/integration/pykafka_member.hpp"

#include "tests/integration/child_jvm.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

pykafka_member::pykafka_member(const pykafka_cluster& cluster, const std::string& topic, const std::string& group)
{
    pid_ = spawn_logged({pykafka_python(), pykafka_member_script, cluster.bootstrap(),
                         std::string(pykafka_kafka_version), cluster.zookeeper_connect(), topic, group,
                         (dir_ / "events").string()},
                        dir_ / "output");
}

pykafka_member::~pykafka_member()
{
    kill();
}

void pykafka_member::poll()
{
    std::string text = read_file(dir_ / "events");
    for (;;) {
        std::size_t end = text.find('\n', read_);
        if (end == std::string::npos) break;
        auto event = nlohmann::json::parse(text.substr(read_, end - read_));
        read_ = end + 1;
        if (event.contains("started")) {
            consumer_id_ = event["started"].get<std::string>();
        } else if (event.contains("held")) {
            held_ = event["held"].get<std::set<std::int32_t>>();
        } else if (event.contains("consumed")) {
            const auto& c = event["consumed"];
            consumed_.push_back({c[0].get<std::int32_t>(), c[1].get<std::int64_t>(), c[2].get<std::string>(),
                                 c[3].get<std::string>()});
        } else if (event.contains("committed")) {
            ++commits_;
        }
    }
    int status = 0;
    if (pid_ > 0 && child_exited(pid_, &status)) {
        pid_ = -1;
        throw std::runtime_error("pykafka member exited (status " + std::to_string(status) + "); its output:\n" +
                                 log());
    }
}

std::vector<pykafka_consumed> pykafka_member::take_consumed()
{
    return std::exchange(consumed_, {});
}

void pykafka_member::pause()
{
    if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void pykafka_member::kill()
{
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap_within(pid_, 10s);
    pid_ = -1;
}

std::string pykafka_member::log() const
{
    return read_file(dir_ / "output");
}

} // namespace kspout::testing
