// Topology files for the local runner: the Flux YAML subset, the same in JSON, and errors that
// name the line; plus the context and conf each task gets.
#include "multilang/local/flux.hpp"
#include "multilang/local/yaml_subset.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace kspout::multilang;
using namespace kspout::multilang::local;
using ::testing::HasSubstr;

namespace {

std::string error_of(const std::string& yaml)
{
    try {
        parse_flux_yaml(yaml, "t.yaml");
    } catch (const topology_error& e) {
        return e.what();
    }
    return "no error";
}

const char* spout_and_bolt = R"(# a comment
name: "words"
config:
  topology.message.timeout.secs: 5   # trailing comment
  topology.max.spout.pending: 100
spouts:
  - id: "src"
    className: "org.apache.storm.flux.wrappers.spouts.FluxShellSpout"
    constructorArgs:
      - ["python3", 'spout.py']
      - [word, count]
    parallelism: 2
bolts:
  - id: "dst"
    className: "org.apache.storm.flux.wrappers.bolts.FluxShellBolt"
    constructorArgs:
      - ["./bolt"]
    configMethods:
      - name: "setNamedStream"
        args: ["alerts", ["word"]]
    parallelism: 3
streams:
  - from: "src"
    to: "dst"
    grouping:
      type: FIELDS
      args: ["word"]
)";

} // namespace

TEST(LocalYaml, ScalarsFlowCollectionsAndNesting)
{
    auto doc = parse_yaml_subset(R"(---
a: 1
b: -2.5
c: true
d: ~
e: host1:9092,host2:9092
f: "quote \" and \u00e9"
g: 'it''s'
h: [1, "two", [3], {k: v}]
i:
- x
- y: 1
  z: [ ]
j: "# not a comment"
k: [1,
    {l: 2}]
m: |
  two
  lines
)",
                                 "t.yaml");
    const json& r = doc.root;
    EXPECT_EQ(r["a"], 1);
    EXPECT_DOUBLE_EQ(r["b"].get<double>(), -2.5);
    EXPECT_EQ(r["c"], true);
    EXPECT_TRUE(r["d"].is_null());
    EXPECT_EQ(r["e"], "host1:9092,host2:9092");
    EXPECT_EQ(r["f"], "quote \" and \xc3\xa9");
    EXPECT_EQ(r["g"], "it's");
    EXPECT_EQ(r["h"], json::parse(R"([1, "two", [3], {"k": "v"}])"));
    EXPECT_EQ(r["i"], json::parse(R"(["x", {"y": 1, "z": []}])"));
    EXPECT_EQ(r["j"], "# not a comment");
    EXPECT_EQ(r["k"], json::parse(R"([1, {"l": 2}])"));
    EXPECT_EQ(r["m"], "two\nlines\n");
    EXPECT_EQ(doc.lines.at("/i/1/z"), 13);
}

TEST(LocalYaml, ErrorsNameTheLine)
{
    auto fails = [](const char* text) {
        try {
            parse_yaml_subset(text, "t.yaml");
        } catch (const topology_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(fails("a: 1\n\tb: 2\n"), HasSubstr("t.yaml:2: illegal tab"));
    EXPECT_THAT(fails("a: 1\na: 2\n"), HasSubstr("t.yaml:2: duplicate key \"a\""));
    EXPECT_THAT(fails("a:\n  b: 1\n  'b': 2\n"), HasSubstr("t.yaml:3: duplicate key \"b\""));
    EXPECT_THAT(fails("a: 1\nb: {c: 1, c: 2}\n"), HasSubstr("t.yaml:2: duplicate key \"c\""));
    EXPECT_THAT(fails("a:\n  b: 1\n    c: 2\n"), HasSubstr("t.yaml:3: illegal map value"));
    EXPECT_THAT(fails("a: &x 1\n"), HasSubstr("t.yaml:1: '&'"));
    EXPECT_THAT(fails("a: 1\nb: *x\n"), HasSubstr("t.yaml:2:"));
    EXPECT_THAT(fails("a: !!str 1\n"), HasSubstr("t.yaml:1: '!'"));
    EXPECT_THAT(fails("a: 1\n[b]: 2\n"), HasSubstr("t.yaml:2: a mapping key must be a scalar"));
    EXPECT_THAT(fails("a: [1, 2\n"), HasSubstr("t.yaml:1: a flow collection opened on this line is not closed"));
    EXPECT_THAT(fails("a: 1\nb: {c: [1]\n\n"), HasSubstr("t.yaml:2: a flow collection opened"));
    // yaml-cpp ends a quoted scalar at the end of the input without complaint; we do not.
    EXPECT_THAT(fails("a: \"open\n"), HasSubstr("t.yaml:1: unterminated"));
    EXPECT_THAT(fails("a: 1\nb: 'open\nc: 2\n"), HasSubstr("t.yaml:2: unterminated"));
    EXPECT_THAT(fails("a: 1\n---\nb: 2\n"), HasSubstr("t.yaml:2: only one YAML document"));
}

// The reproduced crashes: a flow value 10,000 levels deep overflowed the stack, and 1e999 ended
// the runner through an uncaught std::out_of_range. Both are errors naming the line.
TEST(LocalYaml, HostileValuesAreErrorsNamingTheLine)
{
    auto fails = [](const std::string& text) {
        try {
            parse_yaml_subset(text, "t.yaml");
        } catch (const topology_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    std::string deep_flow = "name: x\nconfig: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
    EXPECT_THAT(fails(deep_flow), HasSubstr("t.yaml:2: nested deeper than 128 levels"));
    std::string deep_map;
    for (int i = 0; i < 10000; ++i) deep_map += "{k: ";
    deep_map += "1" + std::string(10000, '}');
    EXPECT_THAT(fails("a: " + deep_map + "\n"), HasSubstr("t.yaml:1: nested deeper"));
    std::string deep_items;
    for (int i = 0; i < 300; ++i) deep_items += "- ";
    EXPECT_THAT(fails("a:\n  " + deep_items + "x\n"), HasSubstr("t.yaml:2: nested deeper"));
    std::string deep_blocks;
    for (int i = 0; i < 300; ++i) deep_blocks += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    EXPECT_THAT(fails(deep_blocks), HasSubstr("nested deeper"));
    EXPECT_THAT(fails("a: 1\nb: 1e999\n"), HasSubstr("t.yaml:2: number 1e999 is out of range"));
    EXPECT_THAT(fails("a: [1, -1.5e400]\n"), HasSubstr("t.yaml:1: number -1.5e400 is out of range"));
    EXPECT_THAT(error_of("name: x\nconfig:\n  topology.message.timeout.secs: 1e999\n"), HasSubstr("t.yaml:3:"));
    EXPECT_EQ(parse_yaml_subset("a: 1e-999\n", "t.yaml").root["a"], 0.0) << "underflow is zero, as in YAML";
}

TEST(LocalYaml, NestingUpToTheLimitIsRead)
{
    std::string ok = "a: " + std::string(127, '[') + std::string(127, ']') + "\n";
    EXPECT_TRUE(parse_yaml_subset(ok, "t.yaml").root["a"].is_array());
}

// Found by fuzz_flux: strings that are not UTF-8 made json::type_error escape from dump() (in the
// duplicate-key message, in config errors and in every handshake), aborting the runner.
TEST(LocalYaml, TextThatIsNotUtf8IsAnErrorNamingTheLine)
{
    auto fails = [](const std::string& text) {
        try {
            yaml_document doc = parse_yaml_subset(text, "t.yaml");
            (void)doc.root.dump();
        } catch (const topology_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(fails("a: {\"\xff\": 1, \"\xff\": 2}\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8"));
    EXPECT_THAT(fails("a: 1\nb: caf\xe9\n"), HasSubstr("t.yaml:2: the line is not valid UTF-8"));
    EXPECT_THAT(fails("a: \xc0\xaf\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8"));     // overlong
    EXPECT_THAT(fails("a: \xed\xa0\x80\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8")); // surrogate
    EXPECT_THAT(fails("a: \xf4\x90\x80\x80\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8"));
    EXPECT_THAT(fails("a: x\xe2\x82\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8")); // cut short
    EXPECT_THAT(fails("# \xff\na: 1\n"), HasSubstr("t.yaml:1: the line is not valid UTF-8"));
    EXPECT_THAT(fails("a: \"\\ud800\"\n"), HasSubstr("t.yaml:1: invalid unicode"));
    EXPECT_THAT(fails("a: \"\\udc00x\"\n"), HasSubstr("t.yaml:1: invalid unicode"));
    // YAML writes a character beyond U+FFFF as \U, not as a JSON-style surrogate pair.
    EXPECT_THAT(fails("a: \"\\ud83d\\ude00\"\n"), HasSubstr("t.yaml:1: invalid unicode"));

    yaml_document ok = parse_yaml_subset("a: \"\\u00fc\\U0001F600\"\nb: gr\xc3\xbc\xc3\x9f\n", "t.yaml");
    EXPECT_EQ(ok.root["a"], "\xc3\xbc\xf0\x9f\x98\x80");
    EXPECT_EQ(ok.root["b"], "gr\xc3\xbc\xc3\x9f");

    // Found by fuzz_flux: yaml-cpp wrote \N and \_ as the bytes 0x85 and 0xA0, and dump() threw.
    yaml_document escapes = parse_yaml_subset("a: \"\\N x\\_\"\n\"k\\_\": \"\\_\\_\"\n", "t.yaml");
    EXPECT_EQ(escapes.root["a"], "\xc2\x85 x\xc2\xa0");
    EXPECT_EQ(escapes.root["k\xc2\xa0"], "\xc2\xa0\xc2\xa0");
    EXPECT_NO_THROW((void)escapes.root.dump());
}

TEST(LocalFlux, SpoutsBoltsStreamsAndConfig)
{
    topology_def t = parse_flux_yaml(spout_and_bolt, "t.yaml");
    EXPECT_EQ(t.name, "words");
    EXPECT_EQ(t.config["topology.max.spout.pending"], 100);
    ASSERT_EQ(t.components.size(), 2u);
    const auto* src = t.find("src");
    ASSERT_TRUE(src);
    EXPECT_EQ(src->command, (std::vector<std::string>{"python3", "spout.py"}));
    EXPECT_EQ(src->streams.at("default"), (std::vector<std::string>{"word", "count"}));
    EXPECT_EQ(src->parallelism, 2);
    const auto* dst = t.find("dst");
    ASSERT_TRUE(dst);
    EXPECT_EQ(dst->streams.at("alerts"), (std::vector<std::string>{"word"}));
    ASSERT_EQ(dst->inputs.size(), 1u);
    EXPECT_EQ(dst->inputs[0].type, grouping_type::fields);
    EXPECT_EQ(dst->inputs[0].fields, (std::vector<std::string>{"word"}));
}

TEST(LocalFlux, TheKafkaSpoutExampleLoadsUnchanged)
{
    topology_def t = load_topology_file(KSPOUT_SOURCE_DIR "/topology-examples/kafka-spout.flux.yaml");
    const auto* kafka = t.find("kafka");
    ASSERT_TRUE(kafka);
    EXPECT_EQ(kafka->parallelism, 4);
    EXPECT_EQ(kafka->command, (std::vector<std::string>{"sh", "run-kafka-spout.sh"}));
    EXPECT_EQ(kafka->streams.at("default").size(), 5u);
    EXPECT_EQ(kafka->config["config.topics"], "events");
    const auto* log = t.find("log");
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->log_bolt);
    EXPECT_EQ(log->inputs.at(0).source, "kafka");
    EXPECT_EQ(t.config["topology.max.spout.pending"], 5000);
}

TEST(LocalFlux, TopologyErrorsNameTheLine)
{
    std::string text = spout_and_bolt;
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = text;
        s.replace(s.find(from), from.size(), to);
        return error_of(s);
    };
    EXPECT_THAT(with("spouts.FluxShellSpout", "spouts.KafkaSpout"), HasSubstr("t.yaml:8: the local runner runs"));
    EXPECT_THAT(with("from: \"src\"", "from: \"nobody\""), HasSubstr("t.yaml:23: no spout or bolt has id \"nobody\""));
    EXPECT_THAT(with("args: [\"word\"]", "args: [\"colour\"]"), HasSubstr("t.yaml:27: stream \"default\" of \"src\" has no field \"colour\""));
    EXPECT_THAT(with("parallelism: 3", "parallelism: 0"), HasSubstr("t.yaml:21: parallelism"));
    EXPECT_THAT(with("type: FIELDS", "type: CUSTOM"), HasSubstr("t.yaml:26: grouping CUSTOM"));
    EXPECT_THAT(with("name: \"setNamedStream\"", "name: \"setFoo\""), HasSubstr("t.yaml:19: configMethod \"setFoo\""));
    EXPECT_THAT(with("      - [\"./bolt\"]\n", ""), HasSubstr("t.yaml:16: constructorArgs must be a list"));
    EXPECT_THAT(with("[\"./bolt\"]\n", "[\"./bolt\"]\n      - [a]\n      - [b]\n"), HasSubstr("t.yaml:16: expected [command list]"));
    EXPECT_THAT(with("id: \"dst\"", "id: \"src\""), HasSubstr("t.yaml:14: component id \"src\" is used twice"));
}

TEST(LocalFlux, DeepJsonIsRefusedWhileParsing)
{
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    try {
        parse_flux_json(R"({"name":"x","config":)" + deep + "}", "t.json");
        FAIL() << "no error";
    } catch (const topology_error& e) {
        EXPECT_THAT(std::string(e.what()), HasSubstr("t.json: not valid JSON: JSON nested deeper"));
    }
}

TEST(LocalFlux, JsonHasTheSameStructureAndNamesThePointer)
{
    const char* text = R"({"name": "j",
      "spouts": [{"id": "s", "className": "org.apache.storm.flux.wrappers.spouts.FluxShellSpout",
                  "constructorArgs": [["./s"], ["n"]]}],
      "bolts": [{"id": "b", "className": "org.apache.storm.flux.wrappers.bolts.FluxShellBolt",
                 "constructorArgs": [["./b"]]}],
      "streams": [{"from": "s", "to": "b", "grouping": {"type": "shuffle"}}]})";
    topology_def t = parse_flux_json(text, "t.json");
    EXPECT_EQ(t.find("b")->inputs.at(0).type, grouping_type::shuffle);
    std::string bad = text;
    bad.replace(bad.find("\"to\": \"b\""), 9, "\"to\": \"s\"");
    try {
        parse_flux_json(bad, "t.json");
        FAIL() << "a stream to a spout must fail";
    } catch (const topology_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("t.json: /streams/0/to: \"s\" is a spout"));
    }
    EXPECT_THROW(parse_flux_json("{", "t.json"), topology_error);
}

TEST(LocalTopology, ContextAndConfLikeStorms)
{
    topology_def t = parse_flux_yaml(spout_and_bolt, "t.yaml");
    auto layout = assign_tasks(t);
    // "__acker" 1, "dst" 2..4, "src" 5..6
    json ctx = task_context(t, layout, "dst", 3);
    EXPECT_EQ(ctx["taskid"], 3);
    EXPECT_EQ(ctx["componentid"], "dst");
    EXPECT_EQ(ctx["task->component"]["1"], "__acker");
    EXPECT_EQ(ctx["task->component"]["6"], "src");
    EXPECT_EQ(ctx["stream->outputfields"]["alerts"], json::array({"word"}));
    EXPECT_EQ(ctx["source->stream->grouping"]["src"]["default"]["type"], "FIELDS");
    EXPECT_EQ(ctx["source->stream->fields"]["src"]["default"], json::array({"word", "count"}));
    json sctx = task_context(t, layout, "src", 5);
    EXPECT_EQ(sctx["stream->target->grouping"]["default"]["dst"]["fields"], json::array({"word"}));

    json conf = component_conf(t, *t.find("src"));
    EXPECT_EQ(conf["topology.tick.tuple.freq.secs"], 5); // forced to the message timeout for spouts
    EXPECT_EQ(conf["topology.max.spout.pending"], 100);
    EXPECT_FALSE(component_conf(t, *t.find("dst")).contains("topology.tick.tuple.freq.secs"));

    auto s = read_settings(t.config);
    EXPECT_EQ(s.message_timeout, std::chrono::seconds(5));
    EXPECT_EQ(s.max_spout_pending, 100);
    EXPECT_TRUE(s.ackers);
    EXPECT_THROW(read_settings(json{{"topology.max.spout.pending", "many"}}), topology_error);
}
