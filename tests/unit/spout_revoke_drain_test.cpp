// revoke_drain: ends when the revoked partitions' tuples are answered, at its limit, or joined.
#include "spout/revoke_drain.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace kspout::spout {
namespace {

using namespace std::chrono_literals;

class RevokeDrain : public ::testing::Test {
protected:
    RevokeDrain() { owner_ = std::make_shared<int>(0); }

    // Partition p of topic "t", owned from offset 0, with offsets [0, count) emitted.
    void emitted(std::int32_t p, int count)
    {
        book_.assign({"t", p}, 0);
        for (int o = 0; o < count; ++o) EXPECT_EQ(book_.emitted({"t", p}, o), track_result::ok);
    }

    void start(std::vector<std::int32_t> partitions, std::chrono::milliseconds limit, std::string name)
    {
        drain_.start(owner_, "t", std::move(partitions), limit, book_, [this, name] { ended_.push_back(name); });
    }

    void run_for(std::chrono::milliseconds d)
    {
        ioc_.restart();
        ioc_.run_for(d);
    }

    boost::asio::io_context ioc_;
    std::shared_ptr<int> owner_;
    offset_book book_;
    revoke_drain drain_{ioc_.get_executor()};
    std::vector<std::string> ended_;
};

TEST_F(RevokeDrain, EndsOnceEveryTupleIsAckedOrFailed)
{
    emitted(0, 2);
    start({0}, 10s, "a");
    EXPECT_TRUE(drain_.active());
    EXPECT_EQ(book_.acked({"t", 0}, 0), track_result::ok);
    drain_.check(book_);
    EXPECT_TRUE(ended_.empty());
    EXPECT_EQ(book_.failed({"t", 0}, 1), track_result::ok); // not replayed here: nothing to wait for
    drain_.check(book_);
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
    EXPECT_FALSE(drain_.active());
    run_for(50ms); // the cancelled timer ends nothing more
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

TEST_F(RevokeDrain, EndsAtItsLimitWithTuplesStillOut)
{
    emitted(0, 1);
    start({0}, 20ms, "a");
    run_for(5ms);
    EXPECT_TRUE(ended_.empty());
    run_for(200ms);
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
}

TEST_F(RevokeDrain, ARevokeDuringADrainJoinsItAndKeepsItsDeadline)
{
    emitted(0, 1);
    emitted(1, 1);
    start({0}, 60ms, "a");
    start({1}, 10s, "b");
    EXPECT_EQ(book_.acked({"t", 0}, 0), track_result::ok);
    drain_.check(book_);
    EXPECT_TRUE(ended_.empty()) << "partition 1 still has a tuple out";
    run_for(300ms);
    EXPECT_EQ(ended_, (std::vector<std::string>{"a", "b"}));
}

TEST_F(RevokeDrain, EndNowRunsEveryWaitingRelease)
{
    emitted(0, 1);
    start({0}, 10s, "a");
    drain_.end();
    EXPECT_EQ(ended_, std::vector<std::string>{"a"});
    // A new drain after an early end is not cut short by the old timer.
    start({0}, 10s, "b");
    run_for(50ms);
    EXPECT_EQ(ended_.size(), 1u);
    drain_.end();
}

TEST_F(RevokeDrain, NothingRunsOnceTheOwnerIsGone)
{
    emitted(0, 1);
    start({0}, 10ms, "a");
    owner_.reset();
    run_for(100ms);
    EXPECT_TRUE(ended_.empty());
}

} // namespace
} // namespace kspout::spout
