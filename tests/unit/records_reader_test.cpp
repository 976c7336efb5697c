// read_records on hostile and tricky input: cuts, CRCs, corrupt payloads, lengths, control and
// aborted transactional batches, decompression limits, fetch-size growth; record_reader in parts.
#include "protocol/records/records.hpp"
#include "protocol/records/records_writer.hpp"
#include "protocol/wire/checksum.hpp"
#include "protocol/wire/writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kspout::records {
namespace {

using wire::byte_buffer;
using wire::bytes_view;

std::vector<std::string> payloads(std::int64_t first, std::size_t n)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back("value-" + std::to_string(first + static_cast<std::int64_t>(i)) +
                      std::string(200, 'z'));
    }
    return out;
}

// Entries for offsets [base, base + n), values "value-<offset>zzz...", header "n" on v2.
byte_buffer entry(std::int8_t magic, compression codec, std::int64_t base, std::size_t n,
                  write_options o = {})
{
    static std::vector<std::vector<std::string>> keep; // the views must outlive the write
    keep.push_back(payloads(base, n));
    std::vector<record_to_write> records;
    for (const auto& v : keep.back()) {
        record_to_write r;
        r.key = wire::as_bytes("key");
        r.value = wire::as_bytes(v);
        r.timestamp = 1000 + base;
        if (magic == 2) r.headers.emplace_back("n", wire::as_bytes("1"));
        records.push_back(std::move(r));
    }
    o.magic = magic;
    o.codec = codec;
    o.base_offset = base;
    byte_buffer out = write_records(records, o);
    EXPECT_FALSE(out.empty());
    return out;
}

void store_u32(byte_buffer& b, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// Recomputes the CRC-32C of a v2 batch after its bytes were patched.
void refresh_crc(byte_buffer& batch)
{
    store_u32(batch, 17, wire::crc32c(bytes_view(batch).subspan(21)));
}

byte_buffer control_batch(std::int64_t offset, std::int64_t producer_id, std::uint8_t type)
{
    static const byte_buffer key_abort = {0, 0, 0, 0};
    static const byte_buffer key_commit = {0, 0, 0, 1};
    static const byte_buffer value = {0, 0, 0, 0, 0, 5};
    record_to_write r;
    r.key = bytes_view(type == 0 ? key_abort : key_commit);
    r.value = bytes_view(value);
    r.timestamp = 1;
    write_options o;
    o.base_offset = offset;
    o.producer_id = producer_id;
    o.producer_epoch = 0;
    o.transactional = true;
    byte_buffer batch = write_records(std::vector<record_to_write>{r}, o);
    batch[22] |= 0x20; // control
    refresh_crc(batch);
    return batch;
}

byte_buffer transactional(std::int64_t base, std::size_t n, std::int64_t producer_id, bool txn = true)
{
    write_options o;
    o.producer_id = producer_id;
    o.producer_epoch = 0;
    o.base_sequence = 0;
    o.transactional = txn;
    return entry(2, compression::none, base, n, o);
}

byte_buffer concat(std::initializer_list<byte_buffer> parts)
{
    byte_buffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<std::int64_t> offsets_of(const record_set& set)
{
    std::vector<std::int64_t> out;
    for (const auto& r : set.records) out.push_back(r.offset);
    return out;
}

read_options without_crc()
{
    read_options o;
    o.check_crcs = false;
    return o;
}

// A v2 batch around a hand-made records section.
byte_buffer batch_with_records(std::int32_t count, bytes_view records)
{
    wire::writer w;
    w.int64(0);
    std::size_t length_at = w.reserve_int32();
    w.int32(-1);
    w.int8(2);
    w.uint32(0);
    w.int16(0);
    w.int32(count > 0 ? count - 1 : 0);
    w.int64(0);
    w.int64(0);
    w.int64(-1);
    w.int16(-1);
    w.int32(-1);
    w.int32(count);
    w.raw(records);
    w.patch_size_since(length_at);
    byte_buffer out = w.take();
    refresh_crc(out);
    return out;
}

TEST(RecordsReader, PartialTailAtEveryByte)
{
    std::vector<byte_buffer> entries = {
        entry(0, compression::none, 0, 1),  entry(0, compression::none, 1, 1),
        entry(1, compression::gzip, 2, 3),  entry(2, compression::none, 5, 2),
        control_batch(7, 9, 1),             entry(2, compression::lz4, 8, 3),
        entry(0, compression::snappy, 11, 2), entry(1, compression::none, 13, 1),
        entry(2, compression::zstd, 14, 2),
    };
    byte_buffer blob;
    std::vector<std::size_t> ends;
    std::vector<std::size_t> counts; // records up to and including each entry
    std::vector<std::int64_t> nexts;
    std::size_t total = 0;
    for (const auto& e : entries) {
        record_set one;
        ASSERT_FALSE(read_records(e, 0, {}, {}, one));
        total += one.records.size();
        blob.insert(blob.end(), e.begin(), e.end());
        ends.push_back(blob.size());
        counts.push_back(total);
        nexts.push_back(one.next_offset);
    }

    record_set full;
    ASSERT_FALSE(read_records(blob, 0, {}, {}, full));
    EXPECT_EQ(offsets_of(full), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15}));
    EXPECT_EQ(full.next_offset, 16);
    for (const auto& r : full.records) {
        ASSERT_TRUE(r.value);
        std::string prefix = "value-" + std::to_string(r.offset) + "z";
        EXPECT_EQ(wire::as_text(*r.value).substr(0, prefix.size()), prefix);
    }

    for (std::size_t cut = 0; cut < blob.size(); ++cut) {
        record_set set;
        auto error = read_records(bytes_view(blob).first(cut), 0, {}, {}, set);
        ASSERT_FALSE(error) << "cut " << cut << ": " << error->message();
        std::size_t done = 0;
        while (done < ends.size() && ends[done] <= cut) ++done;
        std::size_t complete = done == 0 ? 0 : ends[done - 1];
        ASSERT_EQ(set.partial_tail, cut != complete) << "cut " << cut;
        ASSERT_EQ(set.complete_bytes, complete) << "cut " << cut;
        ASSERT_EQ(set.records.size(), done == 0 ? 0 : counts[done - 1]) << "cut " << cut;
        ASSERT_EQ(set.next_offset, done == 0 ? 0 : nexts[done - 1]) << "cut " << cut;
        for (std::size_t i = 0; i < set.records.size(); ++i) {
            ASSERT_EQ(set.records[i].offset, full.records[i].offset);
            ASSERT_TRUE(std::ranges::equal(*set.records[i].value, *full.records[i].value));
        }
    }
}

TEST(RecordsReader, CorruptCrcNamesPartitionAndOffset)
{
    for (int m : {0, 1, 2}) {
        auto magic = static_cast<std::int8_t>(m);
        byte_buffer good = entry(magic, compression::none, 40, 2);
        byte_buffer bad = entry(magic, compression::gzip, 42, 3);
        std::size_t covered_from = magic == 2 ? 21 : 16;
        for (std::size_t i = covered_from; i < bad.size(); ++i) {
            byte_buffer corrupt = bad;
            corrupt[i] ^= 0x01;
            byte_buffer blob = concat({good, corrupt});
            record_set set;
            auto error = read_records(blob, 0, {}, {}, set, "t", 3);
            ASSERT_TRUE(error) << "magic " << int{magic} << " byte " << i;
            EXPECT_EQ(error->code, wire::errc::bad_crc);
            // The entry's own offset: a v0/v1 wrapper carries its last inner offset.
            EXPECT_EQ(error->context, magic == 2 ? "topic t partition 3 offset 42" : "topic t partition 3 offset 44");
            EXPECT_EQ(error->offset, good.size() + (magic == 2 ? 17 : 12));
            EXPECT_NE(error->message().find("checksum mismatch"), std::string::npos);
            // The entry before the bad one is kept, and the position stops at the bad entry.
            EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{40, 41}));
            EXPECT_EQ(set.next_offset, 42);
        }
    }
    // The leader epoch is outside the v2 CRC: the broker stamps it.
    byte_buffer batch = entry(2, compression::none, 0, 2);
    batch[12] ^= 0x7f;
    record_set set;
    EXPECT_FALSE(read_records(batch, 0, {}, {}, set));
    EXPECT_EQ(set.records.size(), 2u);
}

TEST(RecordsReader, CorruptCompressedPayloadWithoutCrcIsAnErrorNotACrash)
{
    for (int m : {1, 2}) {
        auto magic = static_cast<std::int8_t>(m);
        for (compression codec : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
            if (codec == compression::zstd && magic < 2) continue;
            byte_buffer batch = entry(magic, codec, 0, 20);
            std::size_t payload_at = magic == 2 ? 61 : 34; // v1 wrapper: 26 + null key + value length
            int errors = 0;
            for (std::size_t i = payload_at; i < batch.size(); ++i) {
                byte_buffer bad = batch;
                bad[i] ^= 0xa5;
                record_set set;
                auto error = read_records(bad, 0, without_crc(), {}, set, "t", 1);
                if (error) {
                    ++errors;
                    EXPECT_EQ(error->context, "topic t partition 1 offset " + std::to_string(magic == 2 ? 0 : 19));
                    EXPECT_TRUE(set.records.empty());
                }
            }
            EXPECT_GT(errors, 0) << to_string(codec) << " magic " << int{magic};

            // A payload that is no stream of this codec at all.
            byte_buffer garbage = batch;
            std::fill(garbage.begin() + static_cast<std::ptrdiff_t>(payload_at), garbage.end(), 0xff);
            record_set set;
            auto error = read_records(garbage, 0, without_crc(), {}, set);
            ASSERT_TRUE(error) << to_string(codec);
            EXPECT_EQ(error->code, wire::errc::corrupt_compressed_data) << to_string(codec);
        }
    }
}

TEST(RecordsReader, LengthsLargerThanWhatRemainsNeverAllocate)
{
    auto expect_rejected = [](const byte_buffer& blob, const char* what) {
        record_set set;
        auto error = read_records(blob, 0, {}, {}, set);
        ASSERT_TRUE(error) << what;
        EXPECT_TRUE(error->code == wire::errc::bad_length || error->code == wire::errc::truncated)
            << what << ": " << error->message();
        EXPECT_TRUE(set.records.empty()) << what;
        EXPECT_LT(set.records.capacity(), 16u) << what;
        EXPECT_LT(set.headers.capacity(), 16u) << what;
    };
    // A valid record: length 12, attrs, ts 0, offset 0, key "k", value "v", one header "h"="x".
    const byte_buffer valid = {0x18, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0x02, 0x02, 'h', 0x02, 'x'};
    record_set ok;
    ASSERT_FALSE(read_records(batch_with_records(1, valid), 0, {}, {}, ok));
    ASSERT_EQ(ok.records.size(), 1u);
    ASSERT_EQ(ok.headers_of(ok.records[0]).size(), 1u);

    expect_rejected(batch_with_records(0x7fffffff, valid), "record count");
    expect_rejected(batch_with_records(-5, valid), "negative record count");
    byte_buffer huge_varint = {0x80, 0x80, 0x80, 0x80, 0x08}; // 2^30 after zigzag: 0x80000000 / 2
    auto with = [&](std::size_t at, std::size_t replaced, const byte_buffer& bytes) {
        byte_buffer r = valid;
        r.erase(r.begin() + static_cast<std::ptrdiff_t>(at), r.begin() + static_cast<std::ptrdiff_t>(at + replaced));
        r.insert(r.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
        return batch_with_records(1, r);
    };
    expect_rejected(with(0, 1, huge_varint), "record length");
    expect_rejected(with(4, 1, huge_varint), "key length");
    expect_rejected(with(6, 1, huge_varint), "value length");
    expect_rejected(with(8, 1, huge_varint), "header count");
    expect_rejected(with(9, 1, huge_varint), "header key length");
    expect_rejected(with(11, 1, huge_varint), "header value length");
    expect_rejected(with(4, 1, {0x03}), "key length -2");
    expect_rejected(with(9, 1, {0x01}), "null header key");

    // v0: a key length of nearly 2 GiB.
    byte_buffer v0 = entry(0, compression::none, 0, 1);
    store_u32(v0, 18, 0x7ffffff0);
    store_u32(v0, 12, wire::crc32(bytes_view(v0).subspan(16)));
    expect_rejected(v0, "v0 key length");

    // An entry size beyond the blob is a partial tail, a negative one an error.
    byte_buffer big = entry(2, compression::none, 0, 1);
    store_u32(big, 8, 0x7fffffff);
    record_set set;
    ASSERT_FALSE(read_records(big, 0, {}, {}, set));
    EXPECT_TRUE(set.partial_tail);
    store_u32(big, 8, 0xfffffff0);
    expect_rejected(big, "negative entry size");
}

TEST(RecordsReader, UnknownMagicAndCodec)
{
    byte_buffer batch = entry(2, compression::none, 5, 1);
    batch[16] = 3;
    record_set set;
    auto error = read_records(batch, 0, {}, {}, set, "", 2);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, wire::errc::bad_magic);
    EXPECT_EQ(error->context, "partition 2 offset 5");

    batch = entry(2, compression::none, 5, 1);
    batch[22] |= 0x05; // codec 5
    refresh_crc(batch);
    error = read_records(batch, 0, {}, {}, set);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, wire::errc::unsupported_compression);
}

TEST(RecordsReader, DecompressionBoundedByOption)
{
    std::string zeros(2 * 1024 * 1024, '\0');
    record_to_write r;
    r.value = wire::as_bytes(zeros);
    for (int m : {1, 2}) {
        auto magic = static_cast<std::int8_t>(m);
        write_options o;
        o.magic = magic;
        o.codec = compression::gzip;
        byte_buffer blob = write_records(std::vector<record_to_write>{r}, o);
        ASSERT_LT(blob.size(), 10000u);
        read_options small;
        small.max_decompressed_bytes = 1024 * 1024;
        record_set set;
        auto error = read_records(blob, 0, small, {}, set);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->code, wire::errc::decompressed_too_large);
        for (const auto& buffer : set.decompressed) EXPECT_LE(buffer.size(), small.max_decompressed_bytes);

        set.clear();
        ASSERT_FALSE(read_records(blob, 0, {}, {}, set));
        ASSERT_EQ(set.records.size(), 1u);
        EXPECT_EQ(set.records[0].value->size(), zeros.size());
    }
}

TEST(RecordsReader, ControlBatchesAreSkippedButMoveTheOffset)
{
    byte_buffer blob = concat({entry(2, compression::none, 0, 2), control_batch(2, 7, 1),
                               entry(2, compression::none, 3, 2)});
    record_set set;
    ASSERT_FALSE(read_records(blob, 0, {}, {}, set));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{0, 1, 3, 4}));
    EXPECT_EQ(set.next_offset, 5);

    byte_buffer ends_in_control = concat({entry(2, compression::none, 0, 2), control_batch(2, 7, 0)});
    set.clear();
    ASSERT_FALSE(read_records(ends_in_control, 0, {}, {}, set));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{0, 1}));
    EXPECT_EQ(set.next_offset, 3);
    EXPECT_EQ(set.complete_bytes, ends_in_control.size());
}

TEST(RecordsReader, EmptyCompactedBatchMovesTheOffset)
{
    // Compaction can leave a batch with no records; LastOffsetDelta still says where it ended.
    byte_buffer empty = batch_with_records(0, {});
    store_u32(empty, 23, 9); // last offset delta
    refresh_crc(empty);
    record_set set;
    ASSERT_FALSE(read_records(empty, 0, {}, {}, set));
    EXPECT_TRUE(set.records.empty());
    EXPECT_EQ(set.next_offset, 10);
}

// pid 1 writes 0-1 then aborts (marker at 4); pid 2 writes 2-3 and commits (5); pid 1 then
// writes 6-7 in a new transaction that commits (8); a non-transactional pid-1 batch at 9. The
// broker's aborted list for it: {{1, 0}}.
byte_buffer abort_then_commit()
{
    return concat({transactional(0, 2, 1), transactional(2, 2, 2), control_batch(4, 1, 0), control_batch(5, 2, 1),
                   transactional(6, 2, 1), control_batch(8, 1, 1), transactional(9, 1, 1, false)});
}

TEST(RecordsReader, ReadCommittedSkipsAbortedTransactions)
{
    byte_buffer blob = abort_then_commit();
    const std::vector<aborted_transaction> aborted = {{1, 0}};

    record_set set;
    read_options committed;
    committed.read_committed = true;
    ASSERT_FALSE(read_records(blob, 0, committed, aborted, set));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{2, 3, 6, 7, 9}));
    EXPECT_EQ(set.next_offset, 10);

    set.clear();
    ASSERT_FALSE(read_records(blob, 0, {}, aborted, set)); // read_uncommitted ignores the list
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{0, 1, 2, 3, 6, 7, 9}));

    // Two aborted transactions of pid 1 (the second starting at 6); listed out of order.
    byte_buffer twice = concat({transactional(0, 2, 1), control_batch(2, 1, 0), transactional(3, 2, 2),
                                transactional(5, 1, 1), control_batch(6, 2, 1), control_batch(7, 1, 0),
                                transactional(8, 1, 1)});
    const std::vector<aborted_transaction> both = {{1, 5}, {1, 0}};
    set.clear();
    ASSERT_FALSE(read_records(twice, 0, committed, both, set));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{3, 4, 8}));
    EXPECT_EQ(set.next_offset, 9);

    // Fetching from inside the aborted range still skips the rest of it.
    set.clear();
    ASSERT_FALSE(read_records(blob, 1, committed, aborted, set));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{2, 3, 6, 7, 9}));
}

TEST(RecordsReader, NextFetchSize)
{
    byte_buffer big = entry(2, compression::none, 0, 3);
    record_set stalled;
    ASSERT_FALSE(read_records(bytes_view(big).first(100), 0, {}, {}, stalled));
    ASSERT_TRUE(stalled.partial_tail);
    EXPECT_EQ(next_fetch_size(stalled, 100, 1000), 200);
    EXPECT_EQ(next_fetch_size(stalled, 600, 1000), 1000);
    EXPECT_EQ(next_fetch_size(stalled, 1000, 1000), 1000);
    EXPECT_EQ(next_fetch_size(stalled, 0x7fffffff, 0x7fffffff), 0x7fffffff);
    EXPECT_EQ(next_fetch_size(stalled, 0x40000001, 0x7fffffff), 0x7fffffff);

    record_set progressed; // a complete entry followed by a partial one: not stalled
    byte_buffer blob = concat({entry(2, compression::none, 0, 1), big});
    ASSERT_FALSE(read_records(bytes_view(blob).first(blob.size() - 1), 0, {}, {}, progressed));
    ASSERT_TRUE(progressed.partial_tail);
    EXPECT_EQ(next_fetch_size(progressed, 100, 1000), 100);

    record_set empty; // nothing fetched at all: nothing to grow for
    ASSERT_FALSE(read_records({}, 0, {}, {}, empty));
    EXPECT_EQ(next_fetch_size(empty, 100, 1000), 100);
}

// Reads the whole blob in parts of `limit`; returns each part's offsets.
std::vector<std::vector<std::int64_t>> read_in_parts(bytes_view blob, read_limit limit, const read_options& o = {},
                                                     std::span<const aborted_transaction> aborted = {})
{
    record_reader reader(blob, 0, o, aborted);
    std::vector<std::vector<std::int64_t>> parts;
    while (!reader.finished()) {
        record_set set;
        auto error = reader.read(set, limit);
        EXPECT_FALSE(error) << error->message();
        parts.push_back(offsets_of(set));
        EXPECT_LE(parts.size(), blob.size()) << "the reader makes no progress";
        if (parts.size() > blob.size()) break;
    }
    return parts;
}

std::vector<std::int64_t> joined(const std::vector<std::vector<std::int64_t>>& parts)
{
    std::vector<std::int64_t> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(RecordReader, StopsAtTheFirstEntryBoundaryPastTheRecordLimit)
{
    // Entries of 3, 2 and 4 records, a control batch, then 2 records: one of each magic.
    byte_buffer blob = concat({entry(2, compression::lz4, 0, 3), entry(1, compression::gzip, 3, 2),
                               entry(0, compression::snappy, 5, 4), control_batch(9, 7, 1),
                               entry(2, compression::none, 10, 2)});
    record_set whole;
    ASSERT_FALSE(read_records(blob, 0, {}, {}, whole));

    record_reader reader(blob, 0, {}, {});
    record_set set;
    ASSERT_FALSE(reader.read(set, {4, SIZE_MAX})); // 3 < 4 after the first entry, 5 after the second
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(set.next_offset, 5);
    EXPECT_FALSE(set.partial_tail);
    EXPECT_FALSE(reader.finished());
    std::size_t first_part_bytes = set.complete_bytes;
    EXPECT_GT(first_part_bytes, 0u);
    EXPECT_LT(first_part_bytes, blob.size());

    set.clear();
    ASSERT_FALSE(reader.read(set, {1, SIZE_MAX})); // one entry, at least one record
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{5, 6, 7, 8}));
    EXPECT_EQ(set.next_offset, 9);
    EXPECT_GT(set.complete_bytes, first_part_bytes);

    set.clear();
    ASSERT_FALSE(reader.read(set, {1, SIZE_MAX})); // the control batch has none: read on past it
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{10, 11}));
    EXPECT_EQ(set.next_offset, 12);
    EXPECT_EQ(set.complete_bytes, blob.size());
    EXPECT_TRUE(reader.finished());

    EXPECT_EQ(joined(read_in_parts(blob, {1, SIZE_MAX})), offsets_of(whole));
    EXPECT_EQ(read_in_parts(blob, {}).size(), 1u);
}

TEST(RecordReader, StopsOnceTheDecompressedBytesReachTheLimit)
{
    byte_buffer blob = concat({entry(2, compression::lz4, 0, 3), entry(2, compression::zstd, 3, 3),
                               entry(2, compression::none, 6, 3), entry(2, compression::none, 9, 3)});
    // Each entry holds over 600 bytes of values: a limit of 1000 bytes takes two entries (the
    // compressed ones counted decompressed), a limit of 1 byte one entry.
    EXPECT_EQ(read_in_parts(blob, {SIZE_MAX, 1000}),
              (std::vector<std::vector<std::int64_t>>{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}}));
    EXPECT_EQ(read_in_parts(blob, {SIZE_MAX, 1}).size(), 4u);
}

TEST(RecordReader, ReadCommittedBookkeepingCarriesFromPartToPart)
{
    // pid 1's first transaction aborts, its second (6-7) commits. Read an entry at a time, a
    // reader that forgot which aborted transactions it had passed would take 6-7 for the aborted
    // one again.
    byte_buffer blob = abort_then_commit();
    const std::vector<aborted_transaction> aborted = {{1, 0}};
    read_options committed;
    committed.read_committed = true;
    auto parts = read_in_parts(blob, {1, SIZE_MAX}, committed, aborted);
    EXPECT_EQ(parts, (std::vector<std::vector<std::int64_t>>{{2, 3}, {6, 7}, {9}}));
}

TEST(RecordReader, AnErrorInALaterPartKeepsWhatCameBeforeAndFinishes)
{
    byte_buffer bad = entry(2, compression::gzip, 3, 2);
    bad[bad.size() - 1] ^= 0x01;
    byte_buffer blob = concat({entry(2, compression::none, 0, 3), bad, entry(2, compression::none, 5, 1)});
    record_reader reader(blob, 0, {}, {}, "t", 3);
    record_set set;
    ASSERT_FALSE(reader.read(set, {1, SIZE_MAX}));
    EXPECT_EQ(offsets_of(set), (std::vector<std::int64_t>{0, 1, 2}));
    set.clear();
    auto error = reader.read(set, {1, SIZE_MAX});
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, wire::errc::bad_crc);
    EXPECT_EQ(error->context, "topic t partition 3 offset 3");
    EXPECT_TRUE(set.records.empty());
    EXPECT_EQ(set.next_offset, 3);
    EXPECT_TRUE(reader.finished());
}

} // namespace
} // namespace kspout::records
