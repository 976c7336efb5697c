// The engine settings: kafka.client.engine, and kafka.rdkafka.* passed through in order, values never echoed.
#include "spout/settings.hpp"

#include "tests/unit/settings_test_util.hpp"

#include <gtest/gtest.h>

namespace kspout::spout {
namespace {

using nlohmann::json;
using test_util::joined;

json base_conf()
{
    return {{"kafka.topic", "t"},
            {"kafka.bootstrap.servers", "k:1"},
            {"kafka.group.id", "g"},
            {"kafka.spout.assignment", "static"}};
}

TEST(SpoutEngineSettings, NativeByDefaultWithNothingPassedThrough)
{
    auto r = load_settings(base_conf(), {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->cluster.engine, io::client_engine::native);
    EXPECT_TRUE(r.value->cluster.rdkafka_properties.empty());
}

TEST(SpoutEngineSettings, RdkafkaPropertiesArePassedThroughAsTextInTheOrderGiven)
{
    json conf = base_conf();
    conf["kafka.client.engine"] = "rdkafka";
    conf["kafka.rdkafka.debug"] = "fetch,cgrp";
    conf["kafka.rdkafka.fetch.queue.backoff.ms"] = 5;
    conf["kafka.rdkafka.socket.nagle.disable"] = true;
    command_line flags;
    flags.overrides.emplace_back("kafka.rdkafka.debug", "broker"); // the command line wins
    auto r = load_settings(conf, flags);
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->cluster.engine, io::client_engine::rdkafka);
    io::rdkafka_property_list want = {
        {"fetch.queue.backoff.ms", "5"}, {"socket.nagle.disable", "true"}, {"debug", "broker"}};
    EXPECT_EQ(r.value->cluster.rdkafka_properties, want);
}

TEST(SpoutEngineSettings, PassThroughsWithoutTheRdkafkaEngineAreAnError)
{
    json conf = base_conf();
    conf["kafka.rdkafka.debug"] = "all";
    auto r = load_settings(conf, {});
    ASSERT_FALSE(r.value);
    EXPECT_NE(joined(r.errors).find("kafka.rdkafka.debug is given, but kafka.client.engine is not rdkafka"),
              std::string::npos)
        << joined(r.errors);
}

TEST(SpoutEngineSettings, BadValuesAreNamedWithoutShowingThem)
{
    json conf = base_conf();
    conf["kafka.client.engine"] = "librdkafka";
    conf["kafka.rdkafka.sasl.password"] = json::array({"not-shown-anywhere"});
    auto r = load_settings(conf, {});
    ASSERT_FALSE(r.value);
    const std::string errors = joined(r.errors);
    EXPECT_NE(errors.find("kafka.client.engine: bad value"), std::string::npos) << errors;
    EXPECT_NE(errors.find("expected one of native, rdkafka"), std::string::npos) << errors;
    EXPECT_NE(errors.find("kafka.rdkafka.sasl.password: bad value (hidden)"), std::string::npos) << errors;
    EXPECT_EQ(errors.find("not-shown-anywhere"), std::string::npos) << errors;
}

TEST(SpoutEngineSettings, AKeyNamedLikeTheFamilyAloneIsNotOne)
{
    json conf = base_conf();
    conf["kafka.rdkafka."] = "x";
    auto r = load_settings(conf, {});
    ASSERT_FALSE(r.value);
    EXPECT_NE(joined(r.errors).find("unknown key kafka.rdkafka."), std::string::npos) << joined(r.errors);
}

} // namespace
} // namespace kspout::spout
