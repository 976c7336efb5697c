// Security test helpers: the shared broker with TLS and SASL listeners, client settings for it, unsecured
// OAUTHBEARER tokens, one failing request.
#pragma once

#include "protocol/io/broker.hpp"
#include "protocol/messages/metadata.hpp"
#include "tests/integration/kafka_broker.hpp"
#include "tests/integration/process.hpp"
#include "tests/integration/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kspout::testing {

// The shared broker of a security test binary: PLAINTEXT, the TLS listeners and the SASL ones.
inline kafka_broker& security_broker()
{
    [[maybe_unused]] static const bool configured = [] {
        kafka_broker_options options;
        options.tls_listeners = true;
        options.sasl_listeners = true;
        configure_shared_kafka_broker(std::move(options));
        return true;
    }();
    return shared_kafka_broker();
}

// Mutual TLS with the test CA and the client certificate (its key encrypted).
inline io::tls_options client_tls(const tls_certificates& certs)
{
    io::tls_options tls;
    tls.ca_location = certs.ca.string();
    tls.certificate_location = certs.client.certificate.string();
    tls.key_location = certs.client.key.string();
    tls.key_password = certs.client_key_password;
    return tls;
}

inline io::sasl_options client_sasl()
{
    return {"PLAIN", std::string(sasl_user), std::string(sasl_password), {}};
}

// An unsecured JWS (alg "none", empty signature) for `sub`, expiring `lifetime` from now (negative:
// already expired) and issued a minute before the earlier of now and then, as Kafka's unsecured
// validator takes it.
inline std::string unsecured_token(const std::string& sub, std::chrono::seconds lifetime)
{
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    nlohmann::json payload = {{"sub", sub},
                              {"iat", (now + std::min(lifetime, std::chrono::seconds(0)) - std::chrono::seconds(60)).count()},
                              {"exp", (now + lifetime).count()},
                              {"scope", "kafka"}};
    return base64url(R"({"alg":"none"})") + "." + base64url(payload.dump()) + ".";
}

// kafka-python (tests/integration/secure_peer.py) producing "python-<i>" records to partition 0,
// or printing the values of the first `count`; `config` holds its security settings.
inline process_result kafka_python_peer(const nlohmann::json& config, const std::string& mode,
                                        const std::string& bootstrap, const std::string& topic, int count)
{
    return run_process({"env", "KSPOUT_PEER_CONFIG=" + config.dump(), KSPOUT_PYTHON,
                        KSPOUT_SOURCE_DIR "/tests/integration/secure_peer.py", mode, bootstrap, topic,
                        std::to_string(count)},
                       {}, std::chrono::seconds(60));
}

// What one request to a broker that cannot be reached got, and every line logged meanwhile.
struct failed_attempt {
    std::error_code ec;
    std::vector<std::string> logs;
};

// One Metadata request to `target` ("host:port") with these options, but only one connection
// attempt (the reconnect backoff is an hour: the result must not depend on how retries are paced).
inline failed_attempt first_request(const std::string& target, io::broker_options options)
{
    using namespace std::chrono_literals;
    boost::asio::io_context ioc;
    failed_attempt out;
    options.connect_timeout = 10s;
    options.api_versions_timeout = 10s;
    options.reconnect_backoff = 1h;
    auto colon = target.rfind(':');
    log::logger log;
    log.threshold = log::log_level::debug;
    log.sink = [&](log::log_level, std::string_view line) { out.logs.emplace_back(line); };
    auto b = io::broker::create(
        ioc.get_executor(),
        {-1, target.substr(0, colon), static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1)))}, options, log);
    std::optional<std::error_code> result;
    b->request<messages::metadata_request, messages::metadata_response>(
        wire::api_key::metadata, {}, 10s,
        [&](std::error_code ec, io::response<messages::metadata_response>) { result = ec; });
    EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); })) << target << ": no answer, no error";
    out.ec = result.value_or(std::error_code());
    b->shut_down();
    ioc.restart();
    ioc.poll();
    return out;
}

// The lines that report a failed connection to `target`.
inline std::vector<std::string> connect_failures(const failed_attempt& attempt, const std::string& target)
{
    std::vector<std::string> out;
    for (const auto& line : attempt.logs) {
        if (line.find("cannot connect to broker " + target) != std::string::npos) out.push_back(line);
    }
    return out;
}

// The log of a login refused for a wrong password: one failed connection to `target`, the failed
// SASL login named with the user, and neither the wrong password nor the right one anywhere.
inline void expect_clear_login_failure(const failed_attempt& failed, const std::string& target,
                                       const std::string& mechanism, const std::string& wrong_password)
{
    EXPECT_EQ(connect_failures(failed, target).size(), 1u) << ::testing::PrintToString(failed.logs);
    std::string all;
    for (const auto& line : failed.logs) all += line + "\n";
    EXPECT_THAT(all, ::testing::HasSubstr("broker " + target + ": SASL " + mechanism + " login as " +
                                          std::string(sasl_user) + " failed"));
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(wrong_password)));
    EXPECT_THAT(all, ::testing::Not(::testing::HasSubstr(sasl_password)));
}

// A parameterised test's name for a SASL mechanism: "SCRAM-SHA-256" gives "SCRAM_SHA_256".
inline std::string mechanism_test_name(const ::testing::TestParamInfo<std::string>& mechanism)
{
    std::string name = mechanism.param;
    for (char& c : name) c = c == '-' ? '_' : c;
    return name;
}

} // namespace kspout::testing
