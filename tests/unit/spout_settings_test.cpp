// settings: defaults, precedence of flags > file > Storm conf, and every kind of bad input.
#include "protocol/text/excerpt.hpp"
#include "spout/settings.hpp"

#include "tests/unit/settings_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kspout::spout {
namespace {

using nlohmann::json;
using test_util::flags;
using test_util::joined;
using namespace std::chrono_literals;

json minimal_conf()
{
    return {
        {"kafka.topic", "events"},
        {"kafka.bootstrap.servers", "k1:9092,k2:9093"},
        {"kafka.group.id", "readers"},
        {"kafka.zookeeper.connect", "zk1:2181,zk2:2181/kafka"},
        {"topology.workers", 4}, // Storm's own keys are ignored
        {"storm.zookeeper.servers", json::array({"zk1"})},
    };
}

// Loads, expects exactly one error, and returns it.
std::string single_error(const json& conf, const command_line& cl = {}, const json& file = json::object())
{
    auto r = load_settings(conf, cl, file);
    EXPECT_FALSE(r.value);
    EXPECT_EQ(r.errors.size(), 1u) << joined(r.errors);
    return r.errors.empty() ? std::string() : r.errors.front();
}

TEST(SpoutSettings, MinimalConfGivesTheDefaults)
{
    auto r = load_settings(minimal_conf(), {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const settings& s = *r.value;
    EXPECT_EQ(s.group.topic, "events");
    EXPECT_EQ(s.cluster.bootstrap_servers, (std::vector<std::string>{"k1:9092", "k2:9093"}));
    EXPECT_EQ(s.group.group_id, "readers");
    EXPECT_EQ(s.group.zookeeper_connect, "zk1:2181,zk2:2181/kafka");
    EXPECT_EQ(s.cluster.broker.client_id, "kafka-spout");
    EXPECT_EQ(s.assignment, assignment_mode::balanced);
    EXPECT_EQ(s.group.consumer.auto_offset_reset, io::offset_reset::earliest);
    EXPECT_EQ(s.group.consumer.isolation, messages::isolation_level::read_committed);
    EXPECT_EQ(s.fields, default_tuple_fields());
    EXPECT_EQ(s.stream, "default");
    EXPECT_EQ(s.invalid_utf8, invalid_utf8_policy::base64);
    EXPECT_EQ(s.next_wait, 5ms);
    EXPECT_EQ(s.retry.max_retries, 10);
    EXPECT_EQ(s.retry.exhausted, retries_exhausted::give_up);
    EXPECT_TRUE(s.retry.dead_letter_stream.empty());
    EXPECT_EQ(s.subprocess_timeout, 30s);
    EXPECT_EQ(s.log_level, multilang::log_level::info);
    EXPECT_EQ(s.group.owners_dir, group::owners_dir_style::plain);
    EXPECT_TRUE(s.metrics.names.empty()); // Storm kills the worker for a metric nobody registered
}

TEST(SpoutSettings, FlagsBeatTheFileWhichBeatsTheStormConf)
{
    auto conf = minimal_conf();
    conf["kafka.fetch.min.bytes"] = 10;
    json file = {{"kafka.fetch.min.bytes", 20}, {"kafka.client.id", "from-file"}};

    auto r = load_settings(conf, flags({{"kafka.fetch.min.bytes", "30"}}), file);
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.consumer.fetch_min_bytes, 30);
    EXPECT_EQ(r.value->cluster.broker.client_id, "from-file");

    r = load_settings(conf, {}, file);
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.consumer.fetch_min_bytes, 20);

    r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.consumer.fetch_min_bytes, 10);

    r = load_settings(minimal_conf(), {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.consumer.fetch_min_bytes, 1);

    // The later of two flags for one key wins.
    r = load_settings(conf, flags({{"kafka.fetch.min.bytes", "30"}, {"kafka.fetch.min.bytes", "40"}}));
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.consumer.fetch_min_bytes, 40);
}

TEST(SpoutSettings, EverythingCanComeFromTheCommandLine)
{
    std::vector<std::string> args{"--kafka.topic=t1",
                                  "--set", "kafka.bootstrap.servers=[::1]:9092",
                                  "--set=kafka.group.id=g",
                                  "--kafka.spout.assignment=static",
                                  "--kafka.spout.fields=value, key ,headers",
                                  "--kafka.check.crcs=false",
                                  "--kafka.api.version.request=false",
                                  "--kafka.spout.retry.max.retries=-1",
                                  "--kafka.spout.retry.exhausted=keep_retrying",
                                  "--kafka.spout.dead.letter.stream=dead",
                                  "--kafka.spout.value.format=json",
                                  "--kafka.spout.invalid.utf8=replace",
                                  "--kafka.isolation.level=read_uncommitted",
                                  "--kafka.auto.offset.reset=latest",
                                  "--kafka.spout.commit.interval.ms=250",
                                  "--kafka.spout.revoke.drain.ms=0"};
    std::string error;
    auto cl = parse_command_line(args, error);
    ASSERT_TRUE(cl) << error;
    auto r = load_settings(json::object(), *cl);
    ASSERT_TRUE(r.value) << joined(r.errors);
    const settings& s = *r.value;
    EXPECT_EQ(s.group.topic, "t1");
    EXPECT_EQ(s.cluster.bootstrap_servers, std::vector<std::string>{"[::1]:9092"});
    EXPECT_EQ(s.group.group_id, "g");
    EXPECT_EQ(s.assignment, assignment_mode::by_task_index); // no ZooKeeper needed
    EXPECT_EQ(s.fields, (std::vector<tuple_field>{tuple_field::value, tuple_field::key, tuple_field::headers}));
    EXPECT_FALSE(s.group.consumer.check_crcs);
    EXPECT_FALSE(s.cluster.broker.api_version_request);
    EXPECT_EQ(s.retry.max_retries, -1);
    EXPECT_EQ(s.retry.exhausted, retries_exhausted::keep_retrying);
    EXPECT_EQ(s.retry.dead_letter_stream, "dead");
    EXPECT_EQ(s.format, value_format::json);
    EXPECT_EQ(s.invalid_utf8, invalid_utf8_policy::replace);
    EXPECT_EQ(s.group.consumer.isolation, messages::isolation_level::read_uncommitted);
    EXPECT_EQ(s.group.consumer.auto_offset_reset, io::offset_reset::latest);
    EXPECT_EQ(s.commit_interval, 250ms);
    EXPECT_EQ(s.revoke_drain, 0ms);
}

TEST(SpoutSettings, TypedValuesFromTheStormConf)
{
    auto conf = minimal_conf();
    conf["kafka.bootstrap.servers"] = json::array({"a:1", "b:2"});
    conf["kafka.reset.offset.on.start"] = true;
    conf["kafka.group.id"] = 42; // YAML makes numbers of bare digits
    conf["kafka.spout.fields"] = json::array({"timestamp", "value"});
    conf["kafka.fetch.max.wait.ms"] = "250";
    conf["kafka.spout.retry.initial.delay.ms"] = 0;
    conf["kafka.zookeeper.owners.dir"] = "python3";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->cluster.bootstrap_servers, (std::vector<std::string>{"a:1", "b:2"}));
    EXPECT_TRUE(r.value->group.consumer.reset_offset_on_start);
    EXPECT_EQ(r.value->group.group_id, "42");
    EXPECT_EQ(r.value->fields, (std::vector<tuple_field>{tuple_field::timestamp, tuple_field::value}));
    EXPECT_EQ(r.value->group.consumer.fetch_max_wait, 250ms);
    EXPECT_EQ(r.value->retry.initial_delay, 0ms);
    EXPECT_EQ(r.value->group.owners_dir, group::owners_dir_style::python3_bytes_repr);
}

TEST(SpoutSettings, SubprocessTimeoutComesFromStorm)
{
    auto conf = minimal_conf();
    conf["supervisor.worker.timeout.secs"] = 40;
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->subprocess_timeout, 40s);

    conf["topology.subprocess.timeout.secs"] = nullptr; // Storm sends unset keys as null
    r = load_settings(conf, {});
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->subprocess_timeout, 40s);

    conf["topology.subprocess.timeout.secs"] = 8;
    r = load_settings(conf, {});
    ASSERT_TRUE(r.value);
    EXPECT_EQ(r.value->subprocess_timeout, 8s);

    // next's wait must stay well inside it.
    conf["kafka.spout.next.wait.ms"] = 4000;
    auto e = single_error(conf);
    EXPECT_NE(e.find("kafka.spout.next.wait.ms (4000)"), std::string::npos) << e;
    EXPECT_NE(e.find("8000 ms"), std::string::npos) << e;
    conf["kafka.spout.next.wait.ms"] = 3999;
    EXPECT_TRUE(load_settings(conf, {}).value);
}

TEST(SpoutSettings, UnknownKeysAreErrorsNamingTheKeyAndSource)
{
    auto conf = minimal_conf();
    conf["kafka.fetch.size"] = 5;
    auto e = single_error(conf);
    EXPECT_NE(e.find("unknown key kafka.fetch.size"), std::string::npos) << e;
    EXPECT_NE(e.find("Storm conf"), std::string::npos) << e;

    e = single_error(minimal_conf(), flags({{"kafka.topik", "x"}}));
    EXPECT_NE(e.find("unknown key kafka.topik"), std::string::npos) << e;
    EXPECT_NE(e.find("command line"), std::string::npos) << e;

    command_line with_file;
    with_file.config_file = "spout.json";
    e = single_error(minimal_conf(), with_file, json{{"topology.workers", 2}});
    EXPECT_NE(e.find("unknown key topology.workers"), std::string::npos) << e;
    EXPECT_NE(e.find("config file spout.json"), std::string::npos) << e;
}

TEST(SpoutSettings, TheBoltsKeysInTheSharedStormConfAreLeftToIt)
{
    // A topology's conf reaches every component: kafka-bolt's keys are not the spout's business
    // there, but a config file or flag of the spout's own that names one is a mistake.
    auto conf = minimal_conf();
    conf["kafka.bolt.topic"] = "copies";
    EXPECT_TRUE(load_settings(conf, {}).value);

    auto e = single_error(minimal_conf(), flags({{"kafka.bolt.topic", "copies"}}));
    EXPECT_NE(e.find("unknown key kafka.bolt.topic"), std::string::npos) << e;
}

TEST(SpoutSettings, BadValuesNameKeyValueAndWhatWasExpected)
{
    struct bad {
        std::string key;
        json value;
        std::string expected;
    };
    const bad cases[] = {
        {"kafka.fetch.min.bytes", "abc", "expected an integer from 0 to 2147483647"},
        {"kafka.fetch.min.bytes", "12abc", "expected an integer"},
        {"kafka.fetch.min.bytes", -1, "expected an integer from 0"},
        {"kafka.fetch.min.bytes", 1.5, "expected an integer"},
        {"kafka.fetch.max.bytes", 0, "expected an integer from 1"},
        {"kafka.fetch.max.bytes", 4294967296LL, "to 2147483647"},
        {"kafka.queued.max.messages", json(18446744073709551615ULL), "expected an integer"},
        {"kafka.spout.batch.size", 0, "from 1 to 1000000"},
        {"kafka.spout.retry.max.retries", -2, "from -1"},
        {"kafka.spout.commit.interval.ms", 0, "from 1"},
        {"kafka.spout.revoke.drain.ms", -1, "from 0"},
        {"kafka.check.crcs", "yes", "expected true or false"},
        {"kafka.check.crcs", 1, "expected true or false"},
        {"kafka.api.version.request", "no", "expected true or false"},
        {"kafka.spout.assignment", "dynamic", "expected one of balanced, static, kafka"},
        {"kafka.group.assignor", "sticky", "expected one of range, roundrobin, cooperative-sticky"},
        {"kafka.group.session.timeout.ms", 0, "from 1"},
        {"kafka.auto.offset.reset", "smallest", "expected one of earliest, latest, error"},
        {"kafka.isolation.level", "READ_COMMITTED", "expected one of read_committed, read_uncommitted"},
        {"kafka.spout.value.format", "xml", "expected one of string, json"},
        {"kafka.spout.invalid.utf8", "drop", "expected one of base64, replace, error"},
        {"kafka.spout.retry.exhausted", "ack", "expected one of give_up, keep_retrying"},
        {"kafka.broker.version.fallback", "0.11.0", "expected one of 0.8.2, 0.9.0, 0.10.0"},
        {"kafka.zookeeper.owners.dir", "b'events'", "expected one of plain, python3"},
        {"kafka.topic", "bad topic", "expected a Kafka topic name"},
        {"kafka.topic", std::string(250, 'a'), "expected a Kafka topic name"},
        {"kafka.topic", "..", "expected a Kafka topic name"},
        {"kafka.topic", json::array({"a"}), "expected a string"},
        {"kafka.group.id", "", "expected a non-empty string"},
        {"kafka.group.id", std::string(32768, 'g'), "expected at most 32767 bytes, got 32768"},
        {"kafka.client.id", std::string(40000, 'c'), "expected at most 32767 bytes, got 40000"},
        {"kafka.bootstrap.servers", "k1", "\"k1\" is not host:port"},
        {"kafka.bootstrap.servers", "k1:0", "is not host:port"},
        {"kafka.bootstrap.servers", "k1:65536", "is not host:port"},
        {"kafka.bootstrap.servers", "::1:9092", "is not host:port"},
        {"kafka.bootstrap.servers", " , ", "expected at least one item"},
        {"kafka.bootstrap.servers", json::array({"a:1", 2}), "expected a list of strings"},
        {"kafka.bootstrap.servers", 9092, "expected a comma-separated string or a list of strings"},
        {"kafka.zookeeper.connect", "zk1:2181,zk2/chroot", "expected host:port"},
        {"kafka.zookeeper.connect", "/chroot", "expected host:port"},
        {"kafka.spout.fields", "value,payload", "\"payload\" is not a field"},
        {"kafka.spout.fields", "value,key,value", "\"value\" is listed twice"},
        {"kafka.spout.stream", "", "expected a non-empty string"},
        {"kafka.spout.log.level", "trace", "expected one of debug, info, warn, error"},
        {"kafka.spout.metrics", "emitted,lagging", "\"lagging\" is not a metric"},
        {"kafka.spout.metrics", "acked=", "has no name after ="},
        {"kafka.spout.metrics", "acked,acked=a", "\"acked\" is listed twice"},
        {"kafka.spout.metrics", json{{"lag", 1}}, "with string names"},
        {"kafka.spout.metrics.interval.ms", -1, "from 0"},
    };
    for (const auto& c : cases) {
        auto conf = minimal_conf();
        conf[c.key] = c.value;
        auto e = single_error(conf);
        EXPECT_EQ(e.rfind(c.key + ": bad value " + c.value.dump().substr(0, 40), 0), 0u) << e;
        EXPECT_NE(e.find(c.expected), std::string::npos) << c.key << " = " << c.value << ": " << e;
    }
}

TEST(SpoutSettings, ValuesOverriddenLaterAreStillChecked)
{
    auto conf = minimal_conf();
    conf["kafka.fetch.min.bytes"] = "lots";
    auto e = single_error(conf, flags({{"kafka.fetch.min.bytes", "5"}}));
    EXPECT_NE(e.find("Storm conf"), std::string::npos) << e;
}

TEST(SpoutSettings, MissingRequiredKeys)
{
    auto r = load_settings(json::object(), {});
    EXPECT_FALSE(r.value);
    auto all = joined(r.errors);
    EXPECT_EQ(r.errors.size(), 4u) << all;
    for (auto key : {"kafka.topic is required", "kafka.bootstrap.servers is required", "kafka.group.id is required",
                     "kafka.zookeeper.connect is required"}) {
        EXPECT_NE(all.find(key), std::string::npos) << key << "\n" << all;
    }

    auto conf = minimal_conf();
    conf.erase("kafka.topic");
    auto e = single_error(conf);
    EXPECT_NE(e.find("--kafka.topic=VALUE"), std::string::npos) << e;

    conf = minimal_conf();
    conf.erase("kafka.zookeeper.connect");
    EXPECT_NE(single_error(conf).find("kafka.zookeeper.connect is required"), std::string::npos);
    conf["kafka.spout.assignment"] = "static";
    EXPECT_TRUE(load_settings(conf, {}).value);
}

TEST(SpoutSettings, CrossKeyChecks)
{
    auto conf = minimal_conf();
    conf["kafka.spout.retry.initial.delay.ms"] = 500;
    conf["kafka.spout.retry.max.delay.ms"] = 100;
    auto e = single_error(conf);
    EXPECT_NE(e.find("kafka.spout.retry.max.delay.ms (100) is below kafka.spout.retry.initial.delay.ms (500)"),
              std::string::npos)
        << e;

    conf = minimal_conf();
    conf["kafka.spout.dead.letter.stream"] = "default";
    e = single_error(conf);
    EXPECT_NE(e.find("kafka.spout.dead.letter.stream"), std::string::npos) << e;
    conf = minimal_conf();
    conf["kafka.spout.revoke.drain.ms"] = 6000; // the default session timeout
    e = single_error(conf);
    EXPECT_NE(e.find("kafka.spout.revoke.drain.ms (6000) must be below kafka.zookeeper.session.timeout.ms (6000)"),
              std::string::npos)
        << e;
    conf["kafka.spout.assignment"] = "static"; // no group members wait for a static task
    EXPECT_TRUE(load_settings(conf, {}).value);
}

TEST(SpoutSettings, KafkaAssignmentNeedsNoZooKeeperAndTakesTheGroupKeys)
{
    auto conf = minimal_conf();
    conf.erase("kafka.zookeeper.connect");
    conf["kafka.spout.assignment"] = "kafka";
    conf["kafka.group.session.timeout.ms"] = 10000;
    conf["kafka.group.heartbeat.interval.ms"] = 1000;
    conf["kafka.group.rebalance.timeout.ms"] = 20000;
    conf["kafka.group.assignor"] = "cooperative-sticky";
    conf["kafka.group.instance.id"] = "spout-a";
    auto r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    const settings& s = *r.value;
    EXPECT_EQ(s.assignment, assignment_mode::kafka);
    EXPECT_EQ(s.broker_group.session_timeout, std::chrono::milliseconds(10000));
    EXPECT_EQ(s.broker_group.heartbeat_interval, std::chrono::milliseconds(1000));
    EXPECT_EQ(s.broker_group.rebalance_timeout, std::chrono::milliseconds(20000));
    EXPECT_EQ(s.broker_group.assignor, group::assignor_kind::cooperative_sticky);
    EXPECT_EQ(s.group_instance_id, "spout-a");

    auto defaults = load_settings(minimal_conf(), {});
    ASSERT_TRUE(defaults.value);
    EXPECT_EQ(defaults.value->broker_group.session_timeout, std::chrono::milliseconds(45000));
    EXPECT_EQ(defaults.value->broker_group.heartbeat_interval, std::chrono::milliseconds(3000));
    EXPECT_EQ(defaults.value->broker_group.rebalance_timeout, std::chrono::milliseconds(300000));
    EXPECT_EQ(defaults.value->broker_group.assignor, group::assignor_kind::range);
    EXPECT_TRUE(defaults.value->group_instance_id.empty()); // derived from the task by the spout

    conf["kafka.group.heartbeat.interval.ms"] = 10000;
    auto e = single_error(conf);
    EXPECT_NE(e.find("kafka.group.heartbeat.interval.ms (10000) must be below kafka.group.session.timeout.ms (10000)"),
              std::string::npos)
        << e;
}

TEST(SpoutSettings, AllErrorsAreReportedTogether)
{
    auto conf = minimal_conf();
    conf["kafka.fetch.min.bytes"] = "x";
    conf["kafka.nope"] = 1;
    conf["kafka.check.crcs"] = "maybe";
    auto r = load_settings(conf, {});
    EXPECT_FALSE(r.value);
    EXPECT_EQ(r.errors.size(), 3u) << joined(r.errors);
}

TEST(SpoutSettings, CommandLineForms)
{
    std::string error;
    std::vector<std::string> args{"--config", "a.json", "--set", "kafka.topic=x=y", "--kafka.client.id="};
    auto cl = parse_command_line(args, error);
    ASSERT_TRUE(cl) << error;
    EXPECT_EQ(cl->config_file, "a.json");
    ASSERT_EQ(cl->overrides.size(), 2u);
    EXPECT_EQ(cl->overrides[0], (std::pair<std::string, std::string>{"kafka.topic", "x=y"}));
    EXPECT_EQ(cl->overrides[1], (std::pair<std::string, std::string>{"kafka.client.id", ""}));

    args = {"--config=b.json"};
    cl = parse_command_line(args, error);
    ASSERT_TRUE(cl) << error;
    EXPECT_EQ(cl->config_file, "b.json");
}

TEST(SpoutSettings, BadCommandLines)
{
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"--verbose"}, "unknown argument \"--verbose\""},
        {{"kafka.topic=x"}, "unknown argument"},
        {{"--kafka.topic"}, "\"--kafka.topic\" is not of the form KEY=VALUE"},
        {{"--set"}, "--set needs a value"},
        {{"--set", "kafka.topic"}, "is not of the form KEY=VALUE"},
        {{"--set", "=x"}, "is not of the form KEY=VALUE"},
        {{"--config"}, "--config needs a value"},
        {{"--config="}, "--config needs a file name"},
        {{"--config", "a", "--config", "b"}, "--config given twice"},
    };
    for (const auto& [args, expected] : cases) {
        std::string error;
        EXPECT_FALSE(parse_command_line(args, error)) << expected;
        EXPECT_NE(error.find(expected), std::string::npos) << error;
    }
}

class SpoutSettingsFile : public ::testing::Test {
protected:
    std::string path = ::testing::TempDir() + "spout_settings_test_" + std::to_string(::getpid()) + ".json";

    void write(const std::string& text)
    {
        std::ofstream(path) << text;
    }
    void TearDown() override { std::remove(path.c_str()); }
};

TEST_F(SpoutSettingsFile, ReadsAnObject)
{
    write(R"({"kafka.topic": "from-file", "kafka.spout.batch.size": 7})");
    std::string error;
    auto file = read_config_file(path, error);
    ASSERT_TRUE(file) << error;
    command_line cl;
    cl.config_file = path;
    cl.overrides.emplace_back("kafka.spout.batch.size", "9");
    auto r = load_settings(minimal_conf(), cl, *file);
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->group.topic, "from-file");
    EXPECT_EQ(r.value->batch_size, 9);
}

TEST_F(SpoutSettingsFile, RejectsMissingInvalidAndNonObjectFiles)
{
    std::string error;
    EXPECT_FALSE(read_config_file(path + ".missing", error));
    EXPECT_NE(error.find("cannot open config file"), std::string::npos) << error;

    write("{\"kafka.topic\": ");
    EXPECT_FALSE(read_config_file(path, error));
    EXPECT_NE(error.find("is not valid JSON"), std::string::npos) << error;

    write("[1, 2]");
    EXPECT_FALSE(read_config_file(path, error));
    EXPECT_NE(error.find("is not a JSON object"), std::string::npos) << error;
}

// The fuzzer parses most config texts in memory; the file path must give the same answers.
TEST_F(SpoutSettingsFile, ParsingTheTextGivesWhatReadingTheFileGives)
{
    for (std::string text : {R"({"kafka.topic": "t", "kafka.spout.batch.size": 7})", "{\"kafka.topic\": ", "[1, 2]",
                             "", "{}"}) {
        write(text);
        std::string file_error;
        auto from_file = read_config_file(path, file_error);
        std::string text_error;
        auto from_text = parse_config_text(text, text::excerpt(path, 120), text_error);
        ASSERT_EQ(from_file.has_value(), from_text.has_value()) << text;
        if (from_file) {
            EXPECT_EQ(*from_file, *from_text) << text;
        }
        EXPECT_EQ(file_error, text_error) << text;
    }
}

TEST_F(SpoutSettingsFile, DeeplyNestedFilesAreRefusedWhileParsing)
{
    write("{\"kafka.topic\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
    std::string error;
    EXPECT_FALSE(read_config_file(path, error));
    EXPECT_NE(error.find("nested deeper than"), std::string::npos) << error;
    EXPECT_LT(error.size(), 600u);
}

// A NUL would cut the ZooKeeper paths and host names built from these strings.
TEST(SpoutSettings, StringsWithNulAreRefused)
{
    using namespace std::string_literals;
    for (const char* key : {"kafka.group.id", "kafka.topic", "kafka.zookeeper.connect", "kafka.bootstrap.servers"}) {
        json conf = minimal_conf();
        conf[key] = "readers\0other"s;
        auto r = load_settings(conf, {}, json());
        EXPECT_FALSE(r.value) << key;
        EXPECT_NE(joined(r.errors).find("NUL"), std::string::npos) << joined(r.errors);
        EXPECT_EQ(joined(r.errors).find('\0'), std::string::npos) << joined(r.errors);
    }
}

TEST(SpoutSettings, EchoedKeysAndValuesAreBoundedAndPrintable)
{
    json conf = minimal_conf();
    conf["kafka." + std::string(5000, 'k') + "\x1b"] = 1;
    conf["kafka.spout.batch.size"] = std::string(100000, '9') + "\xff";
    auto r = load_settings(conf, {}, json());
    ASSERT_FALSE(r.value);
    std::string errors = joined(r.errors);
    EXPECT_LT(errors.size(), 1000u) << errors;
    EXPECT_EQ(errors.find('\x1b'), std::string::npos);
    EXPECT_EQ(errors.find('\xff'), std::string::npos);
    EXPECT_NE(errors.find("bytes)"), std::string::npos) << errors;
}

TEST(SpoutSettings, MetricsAreNamedByPrefixOrOneByOne)
{
    auto conf = minimal_conf();
    conf["kafka.spout.metrics"] = "emitted, acked=storm.acks,lag";
    conf["kafka.spout.metrics.interval.ms"] = 0;
    // The prefix applies however late it comes: here from the command line, after the Storm conf.
    auto r = load_settings(conf, flags({{"kafka.spout.metrics.prefix", "kafka_"}}));
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->metrics.names, (std::map<metric_kind, std::string>{{metric_kind::emitted, "kafka_emitted"},
                                                                          {metric_kind::acked, "storm.acks"},
                                                                          {metric_kind::lag, "kafka_lag"}}));
    EXPECT_EQ(r.value->metrics.interval, 0ms);

    conf["kafka.spout.metrics"] = json{{"failed", "f"}, {"committed", "c"}};
    r = load_settings(conf, {});
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_EQ(r.value->metrics.names, (std::map<metric_kind, std::string>{{metric_kind::failed, "f"},
                                                                          {metric_kind::committed, "c"}}));

    // An empty list on a higher source turns them off again.
    r = load_settings(conf, flags({{"kafka.spout.metrics", ""}}));
    ASSERT_TRUE(r.value) << joined(r.errors);
    EXPECT_TRUE(r.value->metrics.names.empty());

    // Two kinds under one name would add unrelated numbers in one Storm metric.
    conf["kafka.spout.metrics"] = "emitted=x,acked=x";
    auto e = single_error(conf);
    EXPECT_NE(e.find("emitted and acked are both sent as \"x\""), std::string::npos) << e;
}

} // namespace
} // namespace kspout::spout
