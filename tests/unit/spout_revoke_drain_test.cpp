// revoke_drain: ends when the revoked partitions' tuples are answered, at its deadline, or joined; time is passed in.
#include "spout/revoke_drain.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::spout {
namespace {

using namespace std::chrono_literals;

const revoke_drain::time_point t0{};

class RevokeDrain : public ::testing::Test {
protected:
    // Partition p of topic "t", owned from offset 0, with offsets [0, count) emitted.
    void emitted(std::int32_t p, int count)
    {
        book_.assign({"t", p}, 0);
        for (int o = 0; o < count; ++o) EXPECT_EQ(book_.emitted({"t", p}, o), track_result::ok);
    }

    void start(std::vector<std::int32_t> partitions, std::chrono::milliseconds limit, std::string name,
               revoke_drain::time_point now = t0)
    {
        drain_.start("t", std::move(partitions), limit, book_, now, [this, name] { ended_.push_back(name); });
    }

    offset_book book_;
    revoke_drain drain_;
    std::vector<std::string> ended_;
};

TEST_F(RevokeDrain, EndsOnceEveryTupleIsAckedOrFailed)
{
    emitted(0, 2);
    start({0}, 10s, "a");
    EXPECT_TRUE(drain_.active());
    EXPECT_EQ(drain_.deadline(), t0 + 10s);
    EXPECT_EQ(book_.acked({"t", 0}, 0), track_result::ok);
    drain_.check(book_);
    EXPECT_TRUE(ended_.empty());
    EXPECT_EQ(book_.failed({"t", 0}, 1), track_result::ok); // not replayed here: nothing to wait for
    drain_.check(book_);
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
    EXPECT_FALSE(drain_.active());
    EXPECT_FALSE(drain_.deadline());
    drain_.expire(t0 + 20s); // the deadline of an ended drain ends nothing more
    EXPECT_EQ(ended_.size(), 1u);
}

TEST_F(RevokeDrain, SettledOrUnlimitedPartitionsEndAtOnce)
{
    emitted(0, 1);
    EXPECT_EQ(book_.acked({"t", 0}, 0), track_result::ok);
    start({0}, 10s, "settled");
    emitted(1, 1);
    start({1}, 0ms, "no wait");
    start({7}, 10s, "not owned");
    EXPECT_EQ(ended_, (std::vector<std::string>{"settled", "no wait", "not owned"}));
}

TEST_F(RevokeDrain, EndsAtItsDeadlineWithTuplesStillOut)
{
    emitted(0, 1);
    start({0}, 20ms, "a", t0 + 1s);
    drain_.expire(t0 + 1019ms);
    EXPECT_TRUE(ended_.empty());
    drain_.expire(t0 + 1020ms);
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
}

TEST_F(RevokeDrain, ARevokeDuringADrainJoinsItAndKeepsItsDeadline)
{
    emitted(0, 1);
    emitted(1, 1);
    start({0}, 60ms, "a");
    start({1}, 10s, "b", t0 + 30ms);
    EXPECT_EQ(drain_.deadline(), t0 + 60ms);
    EXPECT_EQ(book_.acked({"t", 0}, 0), track_result::ok);
    drain_.check(book_);
    EXPECT_TRUE(ended_.empty()) << "partition 1 still has a tuple out";
    drain_.expire(t0 + 60ms);
    EXPECT_EQ(ended_, (std::vector<std::string>{"a", "b"}));
}

TEST_F(RevokeDrain, EndNowRunsEveryWaitingRelease)
{
    emitted(0, 1);
    start({0}, 10s, "a");
    drain_.end();
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
    // A new drain after an early end has its own deadline, not the old one.
    start({0}, 10s, "b", t0 + 5s);
    drain_.expire(t0 + 10s);
    EXPECT_EQ(ended_.size(), 1u);
    EXPECT_EQ(drain_.deadline(), t0 + 15s);
    drain_.end();
    EXPECT_EQ(ended_, (std::vector<std::string>{"a", "b"}));
}

} // namespace
} // namespace kspout::spout
