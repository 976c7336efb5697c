// FindCoordinator error replies with a null host still decode, so their error code is seen.
#include "protocol/messages/find_coordinator.hpp"

#include <gtest/gtest.h>

namespace kspout::messages {
namespace {

TEST(FindCoordinator, ErrorReplyWithNullHostDecodes)
{
    wire::writer w;
    w.int32(0);                 // throttle
    w.int16(15);                // COORDINATOR_NOT_AVAILABLE
    w.nullable_string("no");    // error message
    w.int32(-1);                // node id
    w.nullable_string(std::nullopt); // host: null, as the librdkafka mock writes it
    w.int32(-1);                // port
    wire::reader r(w.view());
    find_coordinator_response out;
    EXPECT_FALSE(decode(r, out, 1).has_value());
    EXPECT_EQ(out.error_code, 15);
    EXPECT_EQ(out.host, "");
}

} // namespace
} // namespace kspout::messages
