// consumer_partition: fetch eligibility, the error step table, and applying Fetch responses.
#include "protocol/io/consumer_error.hpp"
#include "protocol/io/consumer_partition.hpp"
#include "protocol/io/offset_manager.hpp"
#include "protocol/wire/error.hpp"
#include "tests/unit/io_consumer_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string_view>

namespace kspout::io {
namespace {

using namespace consumer_test;
using namespace std::chrono_literals;

consumer_options small_bounds()
{
    consumer_options o;
    o.topic = "t";
    o.queued_max_messages = 4;
    o.queued_max_bytes = 1000;
    return o;
}

fetch_apply_options apply_options(offset_reset policy = offset_reset::earliest)
{
    fetch_apply_options o;
    o.topic = "t";
    o.fetch_size_base = 64;
    o.fetch_size_max = 256;
    o.reset_policy = policy;
    return o;
}

consumer_partition active_at(std::int64_t offset)
{
    consumer_partition p;
    p.id = 3;
    p.phase = partition_phase::active;
    p.fetch_offset = offset;
    p.fetch_size = 64;
    return p;
}

messages::fetch_partition_response ok_response(const response_frame& frame, std::int64_t high_watermark)
{
    messages::fetch_partition_response r;
    r.partition_index = 3;
    r.high_watermark = high_watermark;
    r.last_stable_offset = high_watermark;
    r.records = frame.body();
    return r;
}

messages::fetch_partition_response error_response(std::int16_t code)
{
    messages::fetch_partition_response r;
    r.partition_index = 3;
    r.error_code = code;
    return r;
}

std::vector<std::int64_t> offsets_in(message_buffer& buffer)
{
    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    buffer.take(1000, "t", 3, out, lent);
    std::vector<std::int64_t> offsets;
    for (const auto& m : out) offsets.push_back(m.offset);
    return offsets;
}

TEST(ConsumerPartition, FetchableOnlyWhenActiveUnpausedIdleAndBelowBounds)
{
    auto o = small_bounds();
    auto now = std::chrono::steady_clock::now();
    auto p = active_at(0);
    EXPECT_TRUE(p.fetchable(now, o));

    p.paused = true;
    EXPECT_FALSE(p.fetchable(now, o));
    p.paused = false;
    p.in_flight = true;
    EXPECT_FALSE(p.fetchable(now, o));
    p.in_flight = false;
    p.not_before = now + 1s;
    EXPECT_FALSE(p.fetchable(now, o));
    EXPECT_TRUE(p.fetchable(now + 2s, o));
    p.not_before = {};
    for (auto phase : {partition_phase::awaiting_committed, partition_phase::awaiting_reset, partition_phase::stopped}) {
        p.phase = phase;
        EXPECT_FALSE(p.fetchable(now, o)) << phase_name(phase);
    }
    p.phase = partition_phase::active;

    // Three buffered messages are below the bound of four; the fourth makes the buffer full.
    auto frame = frame_of(numbered_batch(0, 3));
    apply_fetch_response(p, ok_response(frame, 3), frame, apply_options());
    EXPECT_EQ(p.buffer.messages(), 3u);
    EXPECT_TRUE(p.fetchable(now, o));
    auto more = frame_of(numbered_batch(3, 1));
    apply_fetch_response(p, ok_response(more, 4), more, apply_options());
    EXPECT_TRUE(p.buffer_full(o));
    EXPECT_FALSE(p.fetchable(now, o));

    // The byte bound on its own also fills the buffer.
    auto q = active_at(0);
    auto big = frame_of(batch(0, {{"k", std::string(1200, 'x')}}));
    apply_fetch_response(q, ok_response(big, 1), big, apply_options());
    EXPECT_EQ(q.buffer.messages(), 1u);
    EXPECT_TRUE(q.buffer_full(o));
}

TEST(ConsumerPartition, PositionIsTheFirstBufferedMessageElseTheFetchOffset)
{
    consumer_partition p;
    EXPECT_FALSE(p.position()); // awaiting its committed offset
    p = active_at(5);
    EXPECT_EQ(p.position(), 5);
    auto frame = frame_of(numbered_batch(5, 3));
    apply_fetch_response(p, ok_response(frame, 8), frame, apply_options());
    EXPECT_EQ(p.position(), 5);
    EXPECT_EQ(p.fetch_offset, 8);
    std::vector<consumer_message> out;
    std::vector<buffered_chunk> lent;
    p.buffer.take(2, "t", 3, out, lent);
    EXPECT_EQ(p.position(), 7);
    p.buffer.take(1, "t", 3, out, lent);
    EXPECT_EQ(p.position(), 8);
}

TEST(ConsumerPartition, ErrorCodesMapToTheBrokerTableActions)
{
    EXPECT_EQ(fetch_error_step(0), fetch_step::proceed);
    EXPECT_EQ(fetch_error_step(1), fetch_step::reset_offset);   // OFFSET_OUT_OF_RANGE
    EXPECT_EQ(fetch_error_step(3), fetch_step::refresh_metadata); // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_EQ(fetch_error_step(5), fetch_step::refresh_metadata); // LEADER_NOT_AVAILABLE
    EXPECT_EQ(fetch_error_step(6), fetch_step::refresh_metadata); // NOT_LEADER_OR_FOLLOWER
    EXPECT_EQ(fetch_error_step(74), fetch_step::refresh_metadata); // FENCED_LEADER_EPOCH
    EXPECT_EQ(fetch_error_step(7), fetch_step::retry);            // REQUEST_TIMED_OUT
    EXPECT_EQ(fetch_error_step(78), fetch_step::retry);           // OFFSET_NOT_AVAILABLE
    EXPECT_EQ(fetch_error_step(-1), fetch_step::retry);           // UNKNOWN_SERVER_ERROR
    EXPECT_EQ(fetch_error_step(2), fetch_step::stop);             // CORRUPT_MESSAGE
    EXPECT_EQ(fetch_error_step(29), fetch_step::stop);            // TOPIC_AUTHORIZATION_FAILED
    EXPECT_EQ(fetch_error_step(9999), fetch_step::stop);          // unknown codes are fatal
}

TEST(ConsumerPartition, RecordsBelowTheFetchOffsetAreDropped)
{
    auto p = active_at(3);
    auto frame = frame_of(numbered_batch(0, 6)); // the broker returns the whole batch from 0
    auto out = apply_fetch_response(p, ok_response(frame, 6), frame, apply_options());
    EXPECT_EQ(out.step, fetch_step::proceed);
    EXPECT_EQ(out.new_messages, 3u);
    EXPECT_EQ(p.fetch_offset, 6);
    EXPECT_EQ(p.high_watermark, 6);
    EXPECT_EQ(offsets_in(p.buffer), (std::vector<std::int64_t>{3, 4, 5}));
}

TEST(ConsumerPartition, EmptyResponseChangesNothingButTheWatermark)
{
    auto p = active_at(9);
    auto frame = frame_of({});
    auto out = apply_fetch_response(p, ok_response(frame, 9), frame, apply_options());
    EXPECT_EQ(out.step, fetch_step::proceed);
    EXPECT_EQ(out.new_messages, 0u);
    EXPECT_EQ(p.fetch_offset, 9);
    EXPECT_EQ(p.high_watermark, 9);
    EXPECT_TRUE(p.buffer.empty());
}

TEST(ConsumerPartition, RetriableAndLeaderErrorsKeepThePosition)
{
    for (std::int16_t code : std::vector<std::int16_t>{6, 7, 3}) {
        auto p = active_at(4);
        auto out = apply_fetch_response(p, error_response(code), frame_of({}), apply_options());
        EXPECT_EQ(out.step, fetch_error_step(code));
        EXPECT_EQ(out.error, wire::make_broker_error(code));
        EXPECT_NE(out.detail.find("partition 3 offset 4"), std::string::npos) << out.detail;
        EXPECT_EQ(p.phase, partition_phase::active);
        EXPECT_EQ(p.fetch_offset, 4);
    }
}

TEST(ConsumerPartition, OutOfRangeFollowsTheResetPolicy)
{
    auto p = active_at(99);
    auto out = apply_fetch_response(p, error_response(1), frame_of({}), apply_options(offset_reset::latest));
    EXPECT_EQ(out.step, fetch_step::reset_offset);
    EXPECT_EQ(p.phase, partition_phase::awaiting_reset);

    auto q = active_at(99);
    out = apply_fetch_response(q, error_response(1), frame_of({}), apply_options(offset_reset::error));
    EXPECT_EQ(out.step, fetch_step::stop);
    EXPECT_EQ(out.error, wire::make_broker_error(1));
    EXPECT_EQ(q.phase, partition_phase::stopped);
    EXPECT_EQ(q.fetch_offset, 99);
}

TEST(ConsumerPartition, FatalErrorStopsThePartition)
{
    auto p = active_at(2);
    auto out = apply_fetch_response(p, error_response(29), frame_of({}), apply_options());
    EXPECT_EQ(out.step, fetch_step::stop);
    EXPECT_EQ(p.phase, partition_phase::stopped);
}

TEST(ConsumerPartition, CorruptBatchStopsAtItsOffsetAfterKeepingWhatCameBefore)
{
    auto blob = numbered_batch(0, 3);
    auto second = numbered_batch(3, 2);
    // A changed byte in a value breaks the batch CRC and nothing else.
    std::string_view needle = "v4";
    auto at = std::search(second.begin(), second.end(), needle.begin(), needle.end());
    ASSERT_NE(at, second.end());
    *at = 'w';
    blob.insert(blob.end(), second.begin(), second.end());
    auto third = numbered_batch(5, 2);
    blob.insert(blob.end(), third.begin(), third.end());

    auto p = active_at(0);
    auto frame = frame_of(blob);
    auto options = apply_options();
    options.read.check_crcs = true;
    auto out = apply_fetch_response(p, ok_response(frame, 7), frame, options);
    EXPECT_EQ(out.step, fetch_step::stop);
    EXPECT_EQ(out.error, wire::make_error_code(wire::errc::bad_crc));
    EXPECT_NE(out.detail.find("partition 3 offset 3"), std::string::npos) << out.detail;
    EXPECT_EQ(out.new_messages, 3u);
    EXPECT_EQ(p.phase, partition_phase::stopped);
    EXPECT_EQ(p.fetch_offset, 3); // stopped at the corrupt batch: nothing after it was skipped to
    EXPECT_EQ(offsets_in(p.buffer), (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_EQ(p.position(), 3);

    // With CRC checks off the same bytes decode, the changed value included.
    auto q = active_at(0);
    options.read.check_crcs = false;
    out = apply_fetch_response(q, ok_response(frame, 7), frame, options);
    EXPECT_EQ(out.step, fetch_step::proceed);
    EXPECT_EQ(q.fetch_offset, 7);
    std::vector<consumer_message> got;
    std::vector<buffered_chunk> lent;
    q.buffer.take(10, "t", 3, got, lent);
    ASSERT_EQ(got.size(), 7u);
    EXPECT_EQ(text(got[4].value), "w4");
}

TEST(ConsumerPartition, ARecordBiggerThanTheFetchSizeGrowsItUpToTheMaximum)
{
    auto whole = batch(0, {{"k", std::string(300, 'v')}});
    auto p = active_at(0);
    auto options = apply_options();
    // What a pre-KIP-74 broker returns when the record does not fit: the start of the entry.
    for (std::int32_t expected : {128, 256}) {
        auto frame = frame_of(wire::byte_buffer(whole.begin(), whole.begin() + p.fetch_size));
        auto out = apply_fetch_response(p, ok_response(frame, 1), frame, options);
        EXPECT_EQ(out.step, fetch_step::proceed);
        EXPECT_EQ(p.fetch_size, expected);
        EXPECT_EQ(p.fetch_offset, 0);
    }
    auto frame = frame_of(wire::byte_buffer(whole.begin(), whole.begin() + 256));
    auto out = apply_fetch_response(p, ok_response(frame, 1), frame, options);
    EXPECT_EQ(out.step, fetch_step::stop);
    EXPECT_EQ(out.error, make_error_code(consumer_errc::record_too_large));
    EXPECT_EQ(p.phase, partition_phase::stopped);
    EXPECT_EQ(p.fetch_offset, 0);

    // Once a whole record arrives the size goes back to the base.
    auto q = active_at(0);
    q.fetch_size = 256;
    auto full = frame_of(whole);
    out = apply_fetch_response(q, ok_response(full, 1), full, options);
    EXPECT_EQ(out.new_messages, 1u);
    EXPECT_EQ(q.fetch_size, 64);
}

// Batches of three records each from offset 0: 0-2, 3-5, ...
wire::byte_buffer batches_of_three(int batches)
{
    wire::byte_buffer blob;
    for (int b = 0; b < batches; ++b) {
        auto one = numbered_batch(3 * b, 3);
        blob.insert(blob.end(), one.begin(), one.end());
    }
    return blob;
}

std::vector<std::int64_t> take_offsets(consumer_partition& p, std::size_t max, std::vector<buffered_chunk>& lent)
{
    std::vector<consumer_message> out;
    p.buffer.take(max, "t", 3, out, lent);
    std::vector<std::int64_t> offsets;
    for (const auto& m : out) offsets.push_back(m.offset);
    return offsets;
}

TEST(ConsumerPartition, AFetchIsReadOnlyUpToTheBufferBoundsAndTheRestAsItDrains)
{
    auto o = small_bounds(); // 4 messages
    auto options = apply_options();
    options.queued_max_messages = o.queued_max_messages;
    auto now = std::chrono::steady_clock::now();
    auto p = active_at(0);
    {
        auto frame = frame_of(batches_of_three(5));
        auto out = apply_fetch_response(p, ok_response(frame, 15), frame, options);
        EXPECT_EQ(out.new_messages, 6u); // 3 is below the bound: one more batch
    } // the partition keeps the response alive
    EXPECT_EQ(p.buffer.messages(), 6u);
    EXPECT_EQ(p.fetch_offset, 6);
    EXPECT_EQ(p.position(), 0);
    ASSERT_TRUE(p.undecoded);
    EXPECT_FALSE(p.fetchable(now, o));

    EXPECT_EQ(read_undecoded(p, options).new_messages, 0u); // full: nothing more is read

    std::vector<buffered_chunk> lent;
    std::vector<std::int64_t> seen = take_offsets(p, 3, lent);
    EXPECT_EQ(read_undecoded(p, options).new_messages, 3u);
    EXPECT_EQ(p.fetch_offset, 9);
    EXPECT_FALSE(p.fetchable(now, o));

    for (auto offset : take_offsets(p, 10, lent)) seen.push_back(offset);
    EXPECT_EQ(read_undecoded(p, options).new_messages, 6u);
    EXPECT_EQ(p.fetch_offset, 15);
    EXPECT_FALSE(p.undecoded); // all read: the partition is fetched again once it has room
    for (auto offset : take_offsets(p, 10, lent)) seen.push_back(offset);
    EXPECT_TRUE(p.fetchable(now, o));
    std::vector<std::int64_t> all(15);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(seen, all);

    // The byte bound stops the read too (each record holds 4-6 bytes of key and value).
    auto q = active_at(0);
    options.queued_max_messages = SIZE_MAX;
    options.queued_max_bytes = 10;
    auto frame = frame_of(batches_of_three(3));
    EXPECT_EQ(apply_fetch_response(q, ok_response(frame, 9), frame, options).new_messages, 3u);
    EXPECT_TRUE(q.undecoded);
    q.drop_buffered(); // a seek or reassignment drops what was read and what was not
    EXPECT_TRUE(q.buffer.empty());
    EXPECT_FALSE(q.undecoded);
}

TEST(ConsumerPartition, ACorruptBatchFoundWhileDrainingStopsThePartitionAtIt)
{
    auto blob = batches_of_three(2);
    auto bad = numbered_batch(6, 3);
    bad.back() ^= 0x01;
    blob.insert(blob.end(), bad.begin(), bad.end());
    auto last = numbered_batch(9, 3);
    blob.insert(blob.end(), last.begin(), last.end());

    auto options = apply_options();
    options.read.check_crcs = true;
    options.queued_max_messages = 2;
    auto p = active_at(0);
    auto frame = frame_of(blob);
    EXPECT_EQ(apply_fetch_response(p, ok_response(frame, 12), frame, options).step, fetch_step::proceed);
    std::vector<buffered_chunk> lent;
    EXPECT_EQ(take_offsets(p, 10, lent), (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_EQ(read_undecoded(p, options).step, fetch_step::proceed);
    EXPECT_EQ(take_offsets(p, 10, lent), (std::vector<std::int64_t>{3, 4, 5}));
    auto out = read_undecoded(p, options);
    EXPECT_EQ(out.step, fetch_step::stop);
    EXPECT_EQ(out.error, wire::make_error_code(wire::errc::bad_crc));
    EXPECT_NE(out.detail.find("partition 3 offset 6"), std::string::npos) << out.detail;
    EXPECT_EQ(p.phase, partition_phase::stopped);
    EXPECT_EQ(p.fetch_offset, 6);
    EXPECT_FALSE(p.undecoded);
}

TEST(ConsumerPartition, ReadCommittedSkipsAbortedTransactions)
{
    auto blob = batch(0, {{"a", "aborted-0"}, {"b", "aborted-1"}}, 7);
    auto plain = numbered_batch(2, 2);
    blob.insert(blob.end(), plain.begin(), plain.end());
    auto frame = frame_of(blob);
    auto response = ok_response(frame, 4);
    response.aborted_transactions = {{7, 0}};

    auto options = apply_options();
    options.read.read_committed = true;
    auto p = active_at(0);
    auto out = apply_fetch_response(p, response, frame, options);
    EXPECT_EQ(out.step, fetch_step::proceed);
    EXPECT_EQ(p.fetch_offset, 4);
    EXPECT_EQ(offsets_in(p.buffer), (std::vector<std::int64_t>{2, 3}));

    options.read.read_committed = false; // read_uncommitted returns the aborted records too
    auto q = active_at(0);
    apply_fetch_response(q, response, frame, options);
    EXPECT_EQ(offsets_in(q.buffer), (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(ConsumerPartition, BeginResetHonoursThePolicy)
{
    auto p = active_at(1);
    EXPECT_TRUE(begin_reset(p, offset_reset::earliest));
    EXPECT_EQ(p.phase, partition_phase::awaiting_reset);
    EXPECT_TRUE(begin_reset(p, offset_reset::latest));
    EXPECT_EQ(p.phase, partition_phase::awaiting_reset);
    EXPECT_FALSE(begin_reset(p, offset_reset::error));
    EXPECT_EQ(p.phase, partition_phase::stopped);
}

TEST(OffsetsVerdict, FatalBeatsCoordinatorBeatsRetry)
{
    using wire::error_action;
    auto verdict = [](std::vector<std::int16_t> codes) {
        return offsets_response_verdict(wire::api_key::offset_commit, codes);
    };
    EXPECT_EQ(verdict({}).action, error_action::none);
    EXPECT_EQ(verdict({0, 0}).action, error_action::none);
    EXPECT_EQ(verdict({0, 14}).action, error_action::retry); // COORDINATOR_LOAD_IN_PROGRESS
    EXPECT_EQ(verdict({0, 14}).code, 14);
    EXPECT_EQ(verdict({14, 16, 0}).action, error_action::find_coordinator); // NOT_COORDINATOR
    EXPECT_EQ(verdict({14, 16, 0}).code, 16);
    EXPECT_EQ(verdict({15}).action, error_action::find_coordinator); // COORDINATOR_NOT_AVAILABLE
    EXPECT_EQ(verdict({3}).action, error_action::retry);             // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_EQ(verdict({16, 12, 14}).action, error_action::fatal);    // OFFSET_METADATA_TOO_LARGE
    EXPECT_EQ(verdict({16, 12, 14}).code, 12);
    EXPECT_EQ(verdict({22}).action, error_action::fatal); // ILLEGAL_GENERATION: no generation to rejoin
}

TEST(OffsetsVerdict, AMemberCommitFencedByTheGroupRejoins)
{
    using wire::error_action;
    auto verdict = [](std::vector<std::int16_t> codes) { return member_commit_verdict(codes); };
    EXPECT_EQ(verdict({0, 0}).action, error_action::none);
    EXPECT_EQ(verdict({22}).action, error_action::rejoin); // ILLEGAL_GENERATION
    EXPECT_EQ(verdict({0, 25}).action, error_action::rejoin); // UNKNOWN_MEMBER_ID
    EXPECT_EQ(verdict({27}).action, error_action::rejoin); // REBALANCE_IN_PROGRESS
    EXPECT_EQ(verdict({14, 16, 22}).action, error_action::rejoin); // fenced beats coordinator moves
    EXPECT_EQ(verdict({14, 16, 22}).code, 22);
    EXPECT_EQ(verdict({14, 16}).action, error_action::find_coordinator);
    EXPECT_EQ(verdict({3}).action, error_action::retry);          // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_EQ(verdict({22, 82}).action, error_action::fatal);     // FENCED_INSTANCE_ID
    EXPECT_EQ(verdict({22, 82}).code, 82);
}

} // namespace
} // namespace kspout::io
