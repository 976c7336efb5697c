// async_sasl_login against a scripted broker: what a refusal's error text becomes in the login's error.
#include "protocol/io/sasl_login.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"
#include "protocol/wire/broker_error.hpp"
#include "protocol/wire/frame_splitter.hpp"
#include "tests/support/test_stream.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

namespace kspout::io {
namespace {

using namespace std::chrono_literals;
using testing::test_peer;

struct login_result {
    std::error_code ec;
    std::string detail;
};

class SaslLogin : public ::testing::Test {
protected:
    boost::asio::io_context ioc;
    std::shared_ptr<test_peer> peer = std::make_shared<test_peer>(ioc.get_executor());
    std::shared_ptr<connection> conn = connection::create(ioc.get_executor(), peer->make_stream(), {"tester"});

    void poll() { ioc.restart(), ioc.poll(); }

    // The correlation id of the one request written since the last call.
    std::int32_t next_request(wire::api_key expected)
    {
        wire::frame_splitter splitter;
        splitter.feed(peer->written());
        peer->clear_written();
        std::error_code ec;
        auto frame = splitter.next(ec);
        EXPECT_TRUE(frame) << ec.message();
        if (!frame) return -1;
        wire::reader r(*frame);
        EXPECT_EQ(r.int16(), static_cast<std::int16_t>(expected));
        r.int16(); // version
        return r.int32();
    }

    template <typename Response>
    void answer(std::int32_t correlation_id, const Response& response, std::int16_t version)
    {
        wire::writer w;
        std::size_t at = w.reserve_int32();
        w.int32(correlation_id);
        encode(w, response, version);
        w.patch_size_since(at);
        peer->feed(w.take());
        poll();
    }
};

TEST_F(SaslLogin, ABrokersRefusalTextIsQuotedAsABoundedPrintableExcerpt)
{
    messages::negotiated_versions versions;
    versions.chosen = {{wire::api_key::sasl_handshake, 1}, {wire::api_key::sasl_authenticate, 1}};
    std::optional<login_result> result;
    async_sasl_login(conn, versions, {"PLAIN", "alice", "secret", ""}, 5s,
                     [&](std::error_code ec, std::string detail, std::chrono::milliseconds) {
                         result = login_result{ec, std::move(detail)};
                     });
    poll();
    answer(next_request(wire::api_key::sasl_handshake), messages::sasl_handshake_response{0, {"PLAIN"}}, 1);
    messages::sasl_authenticate_response refused;
    refused.error_code = 58; // SASL_AUTHENTICATION_FAILED
    refused.error_message = "\x1b[2J" + std::string(30'000, 'n');
    answer(next_request(wire::api_key::sasl_authenticate), refused, 1);

    ASSERT_TRUE(result);
    EXPECT_EQ(result->ec, wire::make_broker_error(58)) << result->ec.message();
    EXPECT_NE(result->detail.find("\\x1b[2Jnnn"), std::string::npos) << result->detail;
    EXPECT_NE(result->detail.find("... (30004 bytes)"), std::string::npos) << result->detail;
    EXPECT_LT(result->detail.size(), 300u);
}

} // namespace
} // namespace kspout::io
