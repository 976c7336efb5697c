// broker_address as logs show it: a host named by a broker's metadata is quoted bounded and printable.
#include "protocol/io/broker.hpp"

#include <gtest/gtest.h>

namespace kspout::io {
namespace {

TEST(BrokerAddress, IsHostColonPort)
{
    EXPECT_EQ((broker_address{1, "kafka-1.example", 9092}.to_string()), "kafka-1.example:9092");
}

TEST(BrokerAddress, AHostFromMetadataIsQuotedAsABoundedPrintableExcerpt)
{
    broker_address hostile{1, "evil\n" + std::string(1000, 'h'), 9092};
    EXPECT_EQ(hostile.to_string(), "evil\\x0a" + std::string(250, 'h') + "... (1005 bytes):9092");
}

} // namespace
} // namespace kspout::io
