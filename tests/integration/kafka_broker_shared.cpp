// The one real Kafka broker a test binary shares: started on first use, stopped by a GoogleTest environment.
#include "tests/integration/kafka_broker.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <optional>

namespace kspout::testing {
namespace {

struct shared_state {
    kafka_broker_options options;
    std::unique_ptr<kafka_broker> broker;
    std::optional<std::string> failure; // a failed start is not retried by every test
};

shared_state& state()
{
    static shared_state s;
    return s;
}

class shared_broker_environment : public ::testing::Environment {
public:
    void TearDown() override
    {
        auto& s = state();
        if (s.broker && (::testing::UnitTest::GetInstance()->failed_test_count() > 0 ||
                         std::getenv("KSPOUT_TEST_LOGS") != nullptr)) {
            std::cerr << "--- kafka broker " << s.broker->version() << " output ---\n" << s.broker->log();
        }
        s.broker.reset();
    }
};

[[maybe_unused]] ::testing::Environment* const registered =
    ::testing::AddGlobalTestEnvironment(new shared_broker_environment);

} // namespace

void configure_shared_kafka_broker(kafka_broker_options options)
{
    state().options = std::move(options);
}

kafka_broker& shared_kafka_broker()
{
    auto& s = state();
    if (s.failure) throw kafka_broker_error(*s.failure);
    if (!s.broker) {
        try {
            s.broker = std::make_unique<kafka_broker>(s.options);
            std::cerr << "[ info ] kafka broker " << s.broker->version() << " on " << s.broker->bootstrap()
                      << " answered " << s.broker->start_time().count() << " ms after its JVM started\n";
        } catch (const std::exception& e) {
            s.failure = e.what();
            throw;
        }
    }
    return *s.broker;
}

} // namespace kspout::testing
