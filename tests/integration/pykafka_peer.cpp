// Finds the pykafka venv's python, and starts the ZooKeeper and the broker the pykafka tests share.
#include "tests/integration/pykafka_peer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <unistd.h>

namespace kspout::testing {
namespace {

kafka_broker_options broker_options()
{
    kafka_broker_options o;
    o.version = std::string(pykafka_kafka_version);
    return o;
}

struct shared_state {
    std::unique_ptr<pykafka_cluster> cluster;
    std::optional<std::string> failure; // a failed start is not retried by every test
};

shared_state& state()
{
    static shared_state s;
    return s;
}

class shared_cluster_environment : public ::testing::Environment {
public:
    void TearDown() override
    {
        auto& s = state();
        if (s.cluster && (::testing::UnitTest::GetInstance()->failed_test_count() > 0 ||
                          std::getenv("KSPOUT_TEST_LOGS") != nullptr)) {
            std::cerr << "--- kafka broker " << s.cluster->broker().version() << " output ---\n"
                      << s.cluster->broker().log();
        }
        s.cluster.reset();
    }
};

[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new shared_cluster_environment);

} // namespace

std::string pykafka_python()
{
    const std::filesystem::path venv = peer_cache_root() / "python-peers";
    std::filesystem::path python = venv / "bin" / "python";
    if (const char* configured = std::getenv("KSPOUT_PYKAFKA_PYTHON"); configured != nullptr && *configured != '\0')
        python = configured;
    else if (!std::filesystem::exists(venv / "complete"))
        throw pykafka_peer_error("pykafka: the venv " + venv.string() +
                                 " is missing or incomplete; run scripts/install-deps.sh (or "
                                 "scripts/fetch-python-peers.sh)");
    if (::access(python.c_str(), X_OK) != 0)
        throw pykafka_peer_error("pykafka: no python at " + python.string() +
                                 "; run scripts/install-deps.sh (or scripts/fetch-python-peers.sh)");
    return python.string();
}

pykafka_cluster::pykafka_cluster() : broker_(broker_options()) {}

pykafka_cluster& shared_pykafka_cluster()
{
    auto& s = state();
    if (s.failure) throw kafka_broker_error(*s.failure);
    if (!s.cluster) {
        try {
            pykafka_python(); // no broker to start when the peer is missing
            s.cluster = std::make_unique<pykafka_cluster>();
            std::cerr << "[ info ] kafka broker " << s.cluster->broker().version() << " on " << s.cluster->bootstrap()
                      << ", ZooKeeper " << s.cluster->zookeeper_connect() << "\n";
        } catch (const std::exception& e) {
            s.failure = e.what();
            throw;
        }
    }
    return *s.cluster;
}

} // namespace kspout::testing
