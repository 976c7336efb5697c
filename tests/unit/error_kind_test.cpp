// Every category's codes fall into the right error_kind, and into exactly one (auth is also fatal).
#include "protocol/error/error_kind.hpp"

#include "protocol/balanced/balanced_error.hpp"
#include "protocol/io/consumer_error.hpp"
#include "protocol/io/error.hpp"
#include "protocol/io/producer_error.hpp"
#include "protocol/wire/broker_error.hpp"
#include "protocol/wire/error.hpp"
#include "protocol/zk/zk_error.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kspout {
namespace {

using enum error_kind;

struct kind_case {
    std::error_code code;
    error_kind kind;
};

const std::vector<kind_case>& cases()
{
    static const std::vector<kind_case> all{
        {wire::errc::truncated, fatal},
        {wire::errc::bad_length, fatal},
        {wire::errc::bad_varint, fatal},
        {wire::errc::bad_crc, fatal},
        {wire::errc::bad_magic, fatal},
        {wire::errc::frame_too_large, fatal},
        {wire::errc::unsupported_version, fatal},
        {wire::errc::unsupported_compression, fatal},
        {wire::errc::corrupt_compressed_data, fatal},
        {wire::errc::decompressed_too_large, fatal},
        {wire::errc::trailing_bytes, fatal},
        {wire::errc::bad_value, fatal},

        {wire::make_broker_error(-1), retriable}, // UNKNOWN_SERVER_ERROR
        {wire::make_broker_error(1), reset_offset},
        {wire::make_broker_error(6), retriable},  // NOT_LEADER_OR_FOLLOWER
        {wire::make_broker_error(16), retriable}, // NOT_COORDINATOR
        {wire::make_broker_error(27), retriable}, // REBALANCE_IN_PROGRESS
        {wire::make_broker_error(10), fatal},     // MESSAGE_TOO_LARGE
        {wire::make_broker_error(58), auth},      // SASL_AUTHENTICATION_FAILED
        {wire::make_broker_error(4242), fatal},   // unknown

        {io::errc::request_timed_out, retriable},
        {io::errc::connect_timed_out, retriable},
        {io::errc::connection_closed, retriable},
        {io::errc::correlation_mismatch, retriable},
        {io::errc::bad_response, retriable},
        {io::errc::no_common_version, fatal},
        {io::errc::shut_down, stopped},
        {io::errc::tls_closed_in_handshake, retriable},
        {io::errc::tls_certificate_untrusted, auth},
        {io::errc::tls_certificate_expired, auth},
        {io::errc::tls_hostname_mismatch, auth},
        {io::errc::tls_certificate_rejected, auth},
        {io::errc::not_kafka_answer, fatal},

        {io::consumer_errc::no_offset, fatal},
        {io::consumer_errc::record_too_large, fatal},
        {io::consumer_errc::not_owned, not_owned},
        {io::consumer_errc::invalid_argument, fatal},
        {io::consumer_errc::no_group, fatal},

        {io::producer_errc::queue_full, retriable},
        {io::producer_errc::record_too_large, fatal},
        {io::producer_errc::empty_topic, fatal},
        {io::producer_errc::unknown_partition, fatal},
        {io::producer_errc::delivery_timed_out, retriable},
        {io::producer_errc::zstd_needs_produce_v7, fatal},
        {io::producer_errc::headers_need_produce_v3, fatal},

        {zk::errc::system_error, fatal},
        {zk::errc::runtime_inconsistency, fatal},
        {zk::errc::data_inconsistency, fatal},
        {zk::errc::connection_loss, retriable},
        {zk::errc::marshalling_error, fatal},
        {zk::errc::unimplemented, fatal},
        {zk::errc::operation_timeout, retriable},
        {zk::errc::bad_arguments, fatal},
        {zk::errc::invalid_state, fatal},
        {zk::errc::new_config_no_quorum, retriable},
        {zk::errc::reconfig_in_progress, retriable},
        {zk::errc::ssl_connection_error, fatal},
        {zk::errc::api_error, fatal},
        {zk::errc::no_node, fatal},
        {zk::errc::no_auth, auth},
        {zk::errc::bad_version, fatal},
        {zk::errc::no_children_for_ephemerals, fatal},
        {zk::errc::node_exists, fatal},
        {zk::errc::not_empty, fatal},
        {zk::errc::session_expired, retriable},
        {zk::errc::invalid_callback, fatal},
        {zk::errc::invalid_acl, fatal},
        {zk::errc::auth_failed, auth},
        {zk::errc::closing, stopped},
        {zk::errc::nothing, retriable},
        {zk::errc::session_moved, retriable},
        {zk::errc::not_read_only, retriable},
        {zk::errc::ephemeral_on_local_session, fatal},
        {zk::errc::no_watcher, fatal},
        {zk::errc::reconfig_disabled, fatal},
        {zk::errc::session_closed_requires_sasl_auth, auth},
        {zk::errc::throttled_op, retriable},

        {balanced::errc::rebalance_timed_out, retriable},
        {balanced::errc::registration_failed, retriable},
        {balanced::errc::zookeeper_unreachable, retriable},
        {balanced::errc::metadata_unavailable, retriable},
        {balanced::errc::invalid_options, fatal},
        {balanced::errc::session_unconfirmed, retriable},
    };
    return all;
}

const error_kind every_kind[] = {retriable, fatal, auth, stopped, not_owned, reset_offset};

std::string describe(const std::error_code& ec)
{
    return std::string(ec.category().name()) + " " + std::to_string(ec.value()) + " (" + ec.message() + ")";
}

TEST(ErrorKind, EachCodeHasItsKind)
{
    for (const kind_case& c : cases()) {
        EXPECT_EQ(c.code, c.kind) << describe(c.code) << " should be " << make_error_condition(c.kind).message();
    }
}

TEST(ErrorKind, EachCodeHasOneKindAndAuthIsAlsoFatal)
{
    for (const kind_case& c : cases()) {
        for (error_kind other : every_kind) {
            const bool expected = other == c.kind || (c.kind == auth && other == fatal);
            EXPECT_EQ(c.code == other, expected)
                << describe(c.code) << " against " << make_error_condition(other).message();
        }
    }
}

TEST(ErrorKind, CategoriesWithFewCodesAreCoveredWhole)
{
    auto count = [](const std::error_category& category) {
        int n = 0;
        for (const kind_case& c : cases()) n += c.code.category() == category ? 1 : 0;
        return n;
    };
    EXPECT_EQ(count(wire::wire_category()), static_cast<int>(wire::errc::bad_value));
    EXPECT_EQ(count(io::io_category()), static_cast<int>(io::errc::not_kafka_answer));
    EXPECT_EQ(count(io::consumer_category()), static_cast<int>(io::consumer_errc::no_group));
    EXPECT_EQ(count(io::producer_category()), static_cast<int>(io::producer_errc::headers_need_produce_v3));
    EXPECT_EQ(count(balanced::balanced_category()), static_cast<int>(balanced::errc::session_unconfirmed));
    int zk_codes = 0;
    for (int rc = -200; rc < 0; ++rc) zk_codes += zk::code_name(rc).empty() ? 0 : 1;
    EXPECT_EQ(count(zk::zookeeper_category()), zk_codes);
}

TEST(ErrorKind, StoppingMeansTheSameInEveryLayer)
{
    for (std::error_code ec : {std::error_code(io::errc::shut_down), std::error_code(zk::errc::closing)}) {
        EXPECT_EQ(ec, stopped) << describe(ec);
        EXPECT_NE(ec, retriable) << describe(ec);
        EXPECT_NE(ec, fatal) << describe(ec);
    }
}

TEST(ErrorKind, NoErrorIsNoKind)
{
    for (error_kind kind : every_kind) {
        EXPECT_NE(std::error_code(), kind);
        EXPECT_NE(wire::make_broker_error(0), kind);
        EXPECT_NE(zk::error_from_rc(0), kind);
    }
}

TEST(ErrorKind, OsNetworkErrorsAreRetriable)
{
    for (std::errc e : {std::errc::connection_refused, std::errc::connection_reset, std::errc::broken_pipe,
                        std::errc::timed_out, std::errc::host_unreachable, std::errc::network_unreachable}) {
        EXPECT_EQ(std::make_error_code(e), retriable) << std::make_error_code(e).message();
        EXPECT_EQ(std::error_code(static_cast<int>(e), std::system_category()), retriable)
            << "as the OS reports it";
    }
    EXPECT_NE(std::make_error_code(std::errc::no_such_file_or_directory), retriable);
    EXPECT_NE(std::make_error_code(std::errc::connection_refused), fatal);
}

TEST(ErrorKind, KindsHaveNames)
{
    EXPECT_STREQ(error_kind_category().name(), "kspout.error_kind");
    EXPECT_EQ(make_error_condition(stopped).message(), "stopped");
    EXPECT_EQ(make_error_condition(auth).message(), "authentication or authorization failed");
}

} // namespace
} // namespace kspout
