// kafka-spout tasks in a balanced group whose znodes are ACL'd to digest credentials: the task
// with them reads, the one with a wrong password sends Storm one clear error, and no output of
// either (multilang messages at debug level, stderr) holds a password.
#include "tests/integration/spout_harness.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace kspout::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr const char* password = "Spout-zk-s3cret";
constexpr const char* wrong_password = "Wr0ng-spout-pass";

// Everything a task wrote: its multilang messages and its stderr.
struct output {
    std::string text;
    std::vector<std::string> errors;
    std::size_t emitted = 0;

    void keep(const multilang::spout_reply& r)
    {
        emitted += r.emits.size();
        for (const auto& e : r.emits) text += e.tuple.dump() + "\n";
        for (const auto& l : r.logs) text += l.msg + "\n";
        for (const auto& e : r.errors) {
            text += e.msg + "\n";
            errors.push_back(e.msg);
        }
    }
};

TEST(SpoutZookeeperAcl, AWrongPasswordIsRefusedClearlyAndNoOutputHoldsAPassword)
{
    zookeeper_server zk;
    mock_cluster mock(1);
    mock.create_topic("guarded", 2);
    produce_with_kcat(mock, "guarded", 40);
    temp_dir pid_dir;
    temp_dir secrets;
    {
        std::ofstream(secrets / "zk-auth") << "digest:storm:" << password << "\n";
    }
    const std::vector<std::int64_t> tasks{1, 2};
    auto conf = balanced_spout_conf(mock, zk.connect_string(), "guarded", "g-guarded");
    conf["kafka.spout.log.level"] = "debug";
    conf["kafka.zookeeper.acl"] = "creator";

    output a_out;
    output b_out;
    auto good = conf;
    good["kafka.zookeeper.auth"] = "file:" + (secrets / "zk-auth").string();
    spout_task_options ao{good, 1, tasks};
    ao.on_stderr = [&](const std::string& text) { a_out.text += text; };
    spout_task a(pid_dir, ao);
    a.storm().open();
    a_out.keep(a.storm().activate());
    for (auto deadline = clock::now() + 30s; a_out.emitted < 40 && clock::now() < deadline;)
        a_out.keep(a.storm().next());
    ASSERT_EQ(a_out.emitted, 40u) << a_out.text;

    auto bad = conf;
    bad["kafka.zookeeper.auth"] = std::string("digest:storm:") + wrong_password; // inline: the worst case
    spout_task_options bo{bad, 2, tasks};
    bo.on_stderr = [&](const std::string& text) { b_out.text += text; };
    spout_task b(pid_dir, bo);
    b.storm().open();
    b_out.keep(b.storm().activate());
    for (auto deadline = clock::now() + 20s; b_out.errors.empty() && clock::now() < deadline;) {
        b_out.keep(b.storm().next());
        a_out.keep(a.storm().next());
    }
    // A while longer: a refusal retried would be reported again.
    for (auto until = clock::now() + 1500ms; clock::now() < until;) {
        b_out.keep(b.storm().next());
        a_out.keep(a.storm().next());
    }
    ASSERT_EQ(b_out.errors.size(), 1u) << b_out.text;
    const std::string& error = b_out.errors[0];
    EXPECT_NE(error.find("ZooKeeper refused access to the group's znodes"), std::string::npos) << error;
    EXPECT_NE(error.find("ZNOAUTH"), std::string::npos) << error;
    EXPECT_NE(error.find("'digest' credentials are not theirs"), std::string::npos) << error;
    EXPECT_NE(error.find("check kafka.zookeeper.auth"), std::string::npos) << error;
    EXPECT_EQ(b_out.emitted, 0u);
    EXPECT_TRUE(a_out.errors.empty()) << a_out.errors.front();

    for (const output* o : {&a_out, &b_out}) {
        EXPECT_EQ(o->text.find(password), std::string::npos) << o->text;
        EXPECT_EQ(o->text.find(wrong_password), std::string::npos) << o->text;
    }
    EXPECT_TRUE(exits_zero_after_stdin_closes(b));
    EXPECT_TRUE(exits_zero_after_stdin_closes(a));
}

} // namespace
} // namespace kspout::testing
