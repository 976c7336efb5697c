// producer: routing records to partitions, the send loop, Produce responses, retries, expiry and flush.
#include "protocol/io/producer.hpp"

#include "protocol/io/error.hpp"
#include "protocol/io/request_packing.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/text/excerpt.hpp"
#include "protocol/wire/broker_error.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <stdexcept>

namespace kspout::io {

struct producer::produce_send {
    std::int32_t leader_id = -1;
    std::vector<std::shared_ptr<batch>> batches;
    std::vector<std::error_code> encode_errors; // per batch: why its records could not be encoded
};

namespace {

// What a record of estimated size `size` holds in memory, counted against max_buffered_bytes.
std::size_t held_bytes(std::size_t size)
{
    return size + sizeof(record_receipt);
}

constexpr std::int16_t out_of_order_sequence_number = 45;
constexpr std::int16_t duplicate_sequence_number = 46;

std::string describe(const std::string& topic, std::int32_t partition)
{
    return topic + "/" + std::to_string(partition);
}

void validate(const producer_options& o)
{
    auto fail = [](const std::string& what) { throw std::invalid_argument("producer option " + what); };
    if (o.acks != 0 && o.acks != 1 && o.acks != -1) fail("acks must be 0, 1 or -1, not " + std::to_string(o.acks));
    if (o.idempotence && o.acks != -1) fail("idempotence needs acks -1 (every in-sync replica)");
    auto codec = static_cast<int>(o.compression);
    if (codec < 0 || codec > static_cast<int>(records::compression::zstd)) {
        fail("compression: unknown codec " + std::to_string(codec));
    }
    if (o.linger < 0ms) fail("linger must not be negative");
    if (o.batch_size == 0) fail("batch_size must be positive");
    if (o.max_buffered_bytes == 0) fail("max_buffered_bytes must be positive");
    if (o.retries < 0) fail("retries must not be negative");
    if (o.max_in_flight < 1 || o.max_in_flight > 5) {
        fail("max_in_flight must be 1 to 5 (the broker checks the sequences of 5 batches per partition)");
    }
    if (o.max_request_bytes == 0) fail("max_request_bytes must be positive");
    if (o.max_requests_per_broker == 0) fail("max_requests_per_broker must be positive");
    if (o.retry_backoff < 0ms) fail("retry_backoff must not be negative");
    if (o.delivery_timeout <= 0ms) fail("delivery_timeout must be positive");
    if (o.request_timeout <= 0ms || o.request_timeout.count() > std::numeric_limits<std::int32_t>::max()) {
        fail("request_timeout must be positive and fit Produce's int32 timeout_ms");
    }
}

const messages::produce_partition_response* find_partition(const messages::produce_response& resp,
                                                            const std::string& topic, std::int32_t partition)
{
    for (const auto& t : resp.topics) {
        if (t.name != topic) continue;
        for (const auto& p : t.partitions) {
            if (p.partition_index == partition) return &p;
        }
    }
    return nullptr;
}

} // namespace

std::shared_ptr<producer> producer::create(std::shared_ptr<cluster> c, producer_options options, log::logger log)
{
    if (!c) throw std::invalid_argument("producer needs a cluster");
    validate(options);
    return std::shared_ptr<producer>(new producer(std::move(c), std::move(options), std::move(log)));
}

producer::producer(std::shared_ptr<cluster> c, producer_options options, log::logger log)
    : cluster_(std::move(c)), options_(std::move(options)), log_(std::move(log)), timer_(cluster_->executor()),
      idempotence_(options_.idempotence)
{
}

producer::~producer() = default;

std::error_code producer::produce(std::string_view topic, std::optional<std::int32_t> partition,
                                  std::optional<std::string_view> key, std::optional<std::string_view> value,
                                  std::vector<record_header> headers, std::optional<std::int64_t> timestamp,
                                  delivery_handler on_delivery)
{
    if (stopped_) return errc::shut_down;
    if (topic.empty()) return producer_errc::empty_topic;
    if (partition && *partition < 0) return producer_errc::unknown_partition;
    const std::size_t size = estimated_size(key, value, headers);
    if (size > options_.max_buffered_bytes) return producer_errc::record_too_large;
    const std::size_t held = held_bytes(size);
    if (buffered_bytes_ + held > options_.max_buffered_bytes) return producer_errc::queue_full;

    auto it = last_topic_ != topics_.end() && last_topic_->first == topic ? last_topic_ : topics_.find(topic);
    if (it == topics_.end()) {
        it = topics_.emplace(std::string(topic), topic_state{partitioner(options_.null_keys)}).first;
        if (!cluster_->topic(it->first)) want_metadata(true);
    }
    last_topic_ = it;
    topic_state& t = it->second;
    const auto count = static_cast<std::int32_t>(t.partitions.size());
    const bool routable = t.waiting.empty() && count > 0 && (!partition || *partition < count);
    if (!routable && !waiting_has_room(held)) return producer_errc::queue_full;

    buffered_bytes_ += held;
    record_receipt receipt{std::move(on_delivery), sequences_.open()};
    const std::int64_t ts = timestamp ? *timestamp : timestamps_.now_ms();
    if (routable) {
        std::int32_t p = partition ? *partition
                                   : t.chooser.choose(key ? std::optional(wire::as_bytes(*key)) : std::nullopt, count,
                                                      t.available);
        append(t, it->first, p, key, value, headers, ts, std::move(receipt), size, std::nullopt);
    } else {
        t.waiting.push(key, value, std::move(headers), ts, partition, std::move(receipt), clock::now(), size);
        waiting_bytes_ += held;
    }
    schedule_pump();
    return {};
}

bool producer::has_room(std::optional<std::string_view> key, std::optional<std::string_view> value,
                        const std::vector<record_header>& headers) const
{
    // The record's topic is not known here: room among the waiting records counts too.
    const std::size_t held = held_bytes(estimated_size(key, value, headers));
    return buffered_bytes_ + held <= options_.max_buffered_bytes && waiting_has_room(held);
}

// Records waiting for their topic's metadata hold at most an eighth of max_buffered_bytes (one
// record whatever its size): a caller that produces a burst before the first metadata answer
// would otherwise hold every record twice over, as it waits and again in its batch.
bool producer::waiting_has_room(std::size_t held) const noexcept
{
    return waiting_bytes_ == 0 || waiting_bytes_ + held <= options_.max_buffered_bytes / 8;
}

// Into the partition's open batch; a full one is sealed (ready to send) and a new one opened, at
// `enqueued` (when the record came) or now.
void producer::append(topic_state& t, std::string_view topic, std::int32_t partition,
                      std::optional<std::string_view> key, std::optional<std::string_view> value,
                      std::span<const record_header> headers, std::int64_t timestamp, record_receipt receipt,
                      std::size_t size, std::optional<clock::time_point> enqueued)
{
    partition_state& p = *t.partitions[static_cast<std::size_t>(partition)];
    batch* open = p.batches.empty() || p.batches.back()->sealed ? nullptr : p.batches.back().get();
    if (open && !open->records.fits(size, options_.batch_size)) {
        seal(p, *open);
        open = nullptr;
    }
    if (!open) {
        auto opened = enqueued.value_or(clock::now()); // a steady clock read per batch, not per record
        open = p.batches.emplace_back(std::make_shared<batch>(partition_key{std::string(topic), partition}, opened,
                                                              spare_storage(p)))
                   .get();
    }
    open->records.append(key, value, headers, timestamp, std::move(receipt), size);
    open->held_bytes += held_bytes(size);
}

void producer::seal(partition_state& p, batch& b)
{
    b.sealed = true;
    p.last_batch_bytes = b.records.encoded_bytes();
    p.last_batch_records = b.records.count();
    if (auto t = topics_.find(b.where.topic); t != topics_.end()) t->second.chooser.batch_formed(b.where.partition);
}

void producer::flush(flush_handler done)
{
    if (stopped_) {
        boost::asio::post(cluster_->executor(), [done = std::move(done)] { done(errc::shut_down); });
        return;
    }
    flushes_.emplace_back(sequences_.next(), std::move(done));
    schedule_pump(); // completes it at once if nothing is outstanding, else sends what lingers
}

void producer::stop()
{
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    const std::error_code shut = errc::shut_down;
    completions done;
    for (auto& [name, t] : topics_) {
        for (auto& w : t.waiting.entries()) finish(w, shut, done);
    }
    // The records of a batch in flight stay in it (only their handlers move out): the request may
    // still be waiting to be encoded.
    for (auto& [where, p] : partitions_) {
        for (auto& b : p.batches) finish(*b, shut, -1, done);
    }
    topics_.clear();
    last_topic_ = topics_.end();
    partitions_.clear();
    auto flushes = std::move(flushes_);
    flushes_.clear();
    boost::asio::post(cluster_->executor(), [done = std::move(done), flushes = std::move(flushes), shut]() mutable {
        for (auto& c : done) {
            if (c.handler) c.handler(c.ec, c.partition, c.offset);
        }
        for (auto& [mark, handler] : flushes) handler(shut);
    });
}

void producer::schedule_pump()
{
    if (pump_posted_ || stopped_) return;
    pump_posted_ = true;
    boost::asio::post(cluster_->executor(), [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->pump();
    });
}

// One pass over every partition: route new records, expire old ones, send what is ready (one
// request per leader), then sleep until the next linger, backoff or deadline.
void producer::pump()
{
    pump_posted_ = false;
    timestamps_.expire(); // the caller's burst of produce() calls, if any, has ended
    if (stopped_) return;
    completions done;
    refresh_topics(done);
    auto now = clock::now();
    expire(now, done);

    const bool flushing = !flushes_.empty();
    auto wake = clock::time_point::max();
    if (idempotence_.phase() == idempotence_phase::unknown) {
        if (now >= next_id_request_at_) {
            request_producer_id(now);
        } else {
            wake = std::min(wake, next_id_request_at_);
        }
    }
    const bool may_send = idempotence_.may_send(); // batches wait for the producer id
    std::vector<sendable> ready;
    for (auto& [where, p] : partitions_) {
        if (p.batches.empty()) continue;
        wake = std::min(wake, p.batches.front()->records.opened() + options_.delivery_timeout);
        if (p.in_flight >= in_flight_limit(p)) continue;
        // Batches go out in order: the first one not in flight is the only candidate.
        auto next = std::find_if(p.batches.begin(), p.batches.end(), [](const auto& b) { return !b->in_flight; });
        if (next == p.batches.end()) continue;
        batch& b = **next;
        if (b.attempts > 0 && now < b.retry_at) {
            wake = std::min(wake, b.retry_at);
            continue;
        }
        if (!b.sealed && !flushing && !b.records.ready(now, options_.linger, options_.batch_size)) {
            wake = std::min(wake, b.records.linger_expiry(options_.linger));
            continue;
        }
        if (!may_send) continue;
        auto leader = cluster_->leader_for(where.topic, where.partition);
        if (!leader) {
            want_metadata(false); // the records wait for a leader until their deadline
            continue;
        }
        ready.push_back({std::move(leader), &p, next});
    }
    if (send_ready(ready)) schedule_pump();
    for (auto& [name, t] : topics_) {
        if (!t.waiting.empty()) wake = std::min(wake, t.waiting.front().enqueued + options_.delivery_timeout);
    }
    maybe_refresh_metadata(now);
    if (metadata_wanted_ && !metadata_in_flight_) wake = std::min(wake, next_metadata_at_);
    arm_timer(wake);
    deliver(done);
}

// Each topic's partitions from the metadata as it is now; the records that waited for them go
// into their batches, in produce() order.
void producer::refresh_topics(completions& done)
{
    for (auto& [name, t] : topics_) {
        const topic_metadata* meta = cluster_->topic(name);
        if (!meta || meta->partitions.empty()) {
            if (t.waiting.empty()) continue;
            if (meta && meta->error_code != 0 &&
                wire::broker_error_action(wire::api_key::metadata, meta->error_code) == wire::error_action::fatal) {
                auto ec = wire::make_broker_error(meta->error_code);
                log_.warning("cannot produce to topic " + name + ": " + ec.message());
                for (auto& w : t.waiting.entries()) finish(w, ec, done);
                t.waiting.clear();
            } else {
                want_metadata(false);
            }
            continue;
        }
        const auto count = static_cast<std::int32_t>(meta->partitions.size());
        if (static_cast<std::int32_t>(t.partitions.size()) != count) {
            t.partitions.resize(static_cast<std::size_t>(count), nullptr);
            for (std::int32_t i = 0; i < count; ++i) {
                auto& slot = t.partitions[static_cast<std::size_t>(i)];
                if (!slot) slot = &partitions_[{name, i}];
            }
        }
        t.available.clear();
        for (const auto& p : meta->partitions) {
            if (p.leader >= 0) t.available.push_back(p.partition);
        }
        for (auto& w : t.waiting.entries()) {
            std::int32_t partition = 0;
            if (w.partition) {
                partition = *w.partition;
                if (partition >= count) {
                    finish(w, producer_errc::unknown_partition, done);
                    continue;
                }
            }
            const auto key = t.waiting.key(w);
            if (!w.partition) {
                partition = t.chooser.choose(key ? std::optional(wire::as_bytes(*key)) : std::nullopt, count,
                                             t.available);
            }
            waiting_bytes_ -= held_bytes(w.size);
            append(t, name, partition, key, t.waiting.value(w), w.headers, w.timestamp, std::move(w.receipt), w.size,
                   w.enqueued);
        }
        t.waiting.clear();
    }
}

void producer::expire(clock::time_point now, completions& done)
{
    const auto cutoff = now - options_.delivery_timeout;
    for (auto& [name, t] : topics_) {
        while (!t.waiting.empty() && t.waiting.front().enqueued <= cutoff) {
            finish(t.waiting.entries().front(), producer_errc::delivery_timed_out, done);
            t.waiting.pop_front();
        }
    }
    for (auto& [where, p] : partitions_) {
        // A batch in flight is settled by its response (the request timeout bounds the wait).
        for (auto it = p.batches.begin(); it != p.batches.end();) {
            batch& b = **it;
            if (b.in_flight) {
                ++it;
                continue;
            }
            if (b.records.opened() > cutoff) break; // the ones after it are younger
            if (b.attempts > 0) {
                log_.warning("giving up on " + std::to_string(b.records.count()) + " records for " +
                             describe(where.topic, where.partition) + " after " + std::to_string(b.attempts) +
                             " attempts: delivery timeout (last error: " + b.last_error.message() + ")");
            }
            it = finish_batch(p, it, producer_errc::delivery_timed_out, -1, done);
        }
    }
}

// Sends the ready batches in the requests pack_requests() makes of them. Returns whether a
// partition has another sealed batch that may follow at once.
bool producer::send_ready(const std::vector<sendable>& ready)
{
    std::vector<ready_batch> shapes;
    shapes.reserve(ready.size());
    for (const auto& r : ready) {
        const batch& b = **r.next;
        shapes.push_back({r.leader->address().node_id, b.records.opened(), batch_overhead + b.records.bytes()});
    }
    bool more_to_send = false;
    const packing_limits limits{options_.max_request_bytes, options_.max_requests_per_broker};
    for (auto& request : pack_requests(shapes, requests_in_flight_, limits)) {
        std::vector<std::shared_ptr<batch>> batches;
        for (std::size_t i : request.batches) {
            partition_state& p = *ready[i].partition;
            start_sending(p, **ready[i].next);
            batches.push_back(*ready[i].next);
            // One batch per partition per request: a sealed one behind it goes in the next pass.
            auto after = std::next(ready[i].next);
            if (after != p.batches.end() && (*after)->sealed && p.in_flight < in_flight_limit(p)) more_to_send = true;
        }
        ++requests_in_flight_[request.leader];
        send(ready[request.batches.front()].leader, std::move(batches));
    }
    return more_to_send;
}

void producer::start_sending(partition_state& p, batch& b)
{
    if (!b.sealed) seal(p, b);
    b.identity = idempotence_.stamp(b.where.topic, b.where.partition, b.identity,
                                    static_cast<std::int32_t>(b.records.count()));
    b.in_flight = true;
    ++p.in_flight;
}

void producer::send(const std::shared_ptr<broker>& leader, std::vector<std::shared_ptr<batch>> batches)
{
    auto s = std::make_shared<produce_send>();
    s->leader_id = leader->address().node_id;
    s->batches = std::move(batches);
    s->encode_errors.resize(s->batches.size());

    // The version (and so the record format) is known only once the broker has negotiated it.
    // Each batch is encoded straight into the request, again on a retry: no copy is kept.
    auto encoder = [s, codec = options_.compression, acks = options_.acks,
                    timeout_ms = static_cast<std::int32_t>(options_.request_timeout.count())](wire::writer& w,
                                                                                             std::int16_t version) {
        messages::produce_request req;
        req.acks = acks;
        req.timeout_ms = timeout_ms;
        std::vector<std::size_t> in_request; // s->batches' index of each partition entry, in order
        for (std::size_t i = 0; i < s->batches.size(); ++i) {
            const batch& b = *s->batches[i];
            s->encode_errors[i] = b.records.unencodable(version, codec);
            if (s->encode_errors[i]) continue;
            if (req.topics.empty() || req.topics.back().name != b.where.topic) {
                req.topics.push_back({b.where.topic, {}});
            }
            req.topics.back().partitions.push_back({b.where.partition, {}});
            in_request.push_back(i);
        }
        std::size_t next = 0;
        messages::encode(w, req, version, [&](wire::writer& out, const auto&, const auto&) {
            const std::size_t i = in_request[next++];
            const batch& b = *s->batches[i];
            if (auto ec = b.records.encode(version, codec, out, b.identity)) s->encode_errors[i] = ec; // a codec failed
        });
    };
    // A broker sends nothing back for acks=0 (the librdkafka mock does, and the connection drops it).
    leader->send(
        wire::api_key::produce, encoder, options_.request_timeout + 1s,
        [weak = weak_from_this(), s](std::error_code ec, std::int16_t version, response_frame frame) {
            if (auto self = weak.lock()) self->on_sent(*s, ec, version, frame);
        },
        std::nullopt, options_.acks != 0);
}

void producer::on_sent(produce_send& s, std::error_code ec, std::int16_t version, const response_frame& frame)
{
    if (stopped_) return;
    --requests_in_flight_[s.leader_id];
    ++rounds_.produce_responses;
    const auto now = clock::now();
    messages::produce_response resp;
    if (!ec && options_.acks != 0) {
        wire::reader r(frame.body());
        if (auto err = messages::decode(r, resp, version)) {
            log_.warning("broker " + std::to_string(s.leader_id) + ": " + err->message());
            ec = errc::bad_response;
        }
    }
    if (ec) log_.info("Produce to broker " + std::to_string(s.leader_id) + " failed: " + ec.message());

    completions done;
    for (std::size_t i = 0; i < s.batches.size(); ++i) {
        const auto& b = s.batches[i];
        auto pit = partitions_.find(b->where);
        if (pit == partitions_.end()) continue;
        partition_state& p = pit->second;
        auto it = std::find(p.batches.begin(), p.batches.end(), b);
        if (it == p.batches.end() || !b->in_flight) continue; // expired or stopped meanwhile
        b->in_flight = false;
        --p.in_flight;
        const std::string where = describe(b->where.topic, b->where.partition);
        if (s.encode_errors[i]) {
            log_.error("cannot produce to " + where + " (Produce v" + std::to_string(version) +
                       "): " + s.encode_errors[i].message());
            finish_batch(p, it, s.encode_errors[i], -1, done);
            continue;
        }
        if (ec == errc::no_common_version) {
            finish_batch(p, it, ec, -1, done);
            continue;
        }
        if (ec) {
            retry_or_fail(p, it, ec, true, now, done);
            continue;
        }
        if (options_.acks == 0) {
            finish_batch(p, it, {}, -1, done);
            continue;
        }
        const auto* pr = find_partition(resp, b->where.topic, b->where.partition);
        if (!pr) {
            log_.warning("Produce response from broker " + std::to_string(s.leader_id) + " lacks " + where);
            retry_or_fail(p, it, errc::bad_response, true, now, done);
            continue;
        }
        if (pr->error_code == duplicate_sequence_number) {
            // A resend of a batch the broker already wrote (its answer to the first send was
            // lost): delivered, at an offset this response does not tell.
            ++rounds_.duplicates_dropped;
            log_.info("broker already has the batch resent to " + where + "; not written twice");
            p.acknowledged_producer_id = b->identity.producer_id;
            finish_batch(p, it, {}, -1, done);
            continue;
        }
        const auto broker_ec = wire::make_broker_error(pr->error_code);
        if (pr->error_code == out_of_order_sequence_number &&
            (it != p.batches.begin() || b->identity.producer_id != idempotence_.producer_id())) {
            // Expected: a batch before it failed and goes again first (or a new producer id
            // restamps it), so the broker refused this one's sequence for now.
            retry_or_fail(p, it, broker_ec, false, now, done);
            continue;
        }
        switch (wire::broker_error_action(wire::api_key::produce, pr->error_code)) {
        case wire::error_action::none:
            p.acknowledged_producer_id = b->identity.producer_id;
            finish_batch(p, it, {}, pr->base_offset, done);
            break;
        case wire::error_action::retry: retry_or_fail(p, it, broker_ec, false, now, done); break;
        case wire::error_action::refresh_metadata: retry_or_fail(p, it, broker_ec, true, now, done); break;
        default: // fatal: the Produce overrides leave no other action
            log_.warning("produce to " + where + " failed: " + broker_ec.message() +
                         (pr->error_message ? " (" + text::excerpt(*pr->error_message) + ")" : ""));
            finish_batch(p, it, broker_ec, -1, done);
            break;
        }
    }
    deliver(done);
    schedule_pump();
}

void producer::retry_or_fail(partition_state& p, batch_iterator it, std::error_code ec, bool refresh_metadata,
                             clock::time_point now, completions& done)
{
    batch& b = **it;
    ++b.attempts;
    b.last_error = ec;
    if (refresh_metadata) want_metadata(false);
    const std::string where = describe(b.where.topic, b.where.partition);
    if (b.attempts > options_.retries) {
        log_.warning("giving up on " + std::to_string(b.records.count()) + " records for " + where + " after " +
                     std::to_string(b.attempts) + " attempts: " + ec.message());
        finish_batch(p, it, ec, -1, done);
        return;
    }
    if (now >= b.records.opened() + options_.delivery_timeout) {
        log_.warning("giving up on " + std::to_string(b.records.count()) + " records for " + where +
                     ": delivery timeout (last error: " + ec.message() + ")");
        finish_batch(p, it, producer_errc::delivery_timed_out, -1, done);
        return;
    }
    log_.info("produce to " + where + " failed (" + ec.message() + "); retry " + std::to_string(b.attempts) +
              " in " + std::to_string(options_.retry_backoff.count()) + " ms");
    b.retry_at = now + options_.retry_backoff;
}

void producer::finish(waiting_records::entry& r, std::error_code ec, completions& done)
{
    buffered_bytes_ -= held_bytes(r.size);
    waiting_bytes_ -= held_bytes(r.size);
    sequences_.settle(r.receipt.sequence);
    done.push_back({std::move(r.receipt.on_delivery), ec, r.partition.value_or(-1), -1});
}

void producer::finish(batch& b, std::error_code ec, std::int64_t base_offset, completions& done)
{
    if (ec && !stopped_ && b.identity.stamped() && b.identity.producer_id == idempotence_.producer_id()) {
        // Whether the broker has this batch is unknown, so the partition's next sequence is too.
        log_.info("a stamped batch for " + describe(b.where.topic, b.where.partition) +
                  " failed; asking for a new producer id");
        idempotence_.reset();
    }
    buffered_bytes_ -= b.held_bytes;
    b.held_bytes = 0;
    std::int64_t offset = ec || base_offset < 0 ? -1 : base_offset;
    done.reserve(done.size() + b.records.receipts().size());
    for (auto& r : b.records.receipts()) {
        sequences_.settle(r.sequence);
        done.push_back({std::move(r.on_delivery), ec, b.where.partition, offset});
        if (offset >= 0) ++offset;
    }
}

producer::batch_iterator producer::finish_batch(partition_state& p, batch_iterator it, std::error_code ec,
                                                std::int64_t base_offset, completions& done)
{
    finish(**it, ec, base_offset, done);
    keep_storage(**it);
    return p.batches.erase(it);
}

batch_storage producer::spare_storage(const partition_state& p)
{
    batch_storage storage;
    if (!spare_storage_.empty()) {
        storage = std::move(spare_storage_.back());
        spare_storage_.pop_back();
        spare_capacity_ -= storage.capacity();
    }
    storage.reserve(p.last_batch_bytes, p.last_batch_records);
    return storage;
}

void producer::keep_storage(batch& b)
{
    if (b.in_flight) return; // a request may still have to encode its bytes
    batch_storage storage = b.records.take_storage();
    if (spare_capacity_ + storage.capacity() > options_.max_buffered_bytes / 4) return;
    spare_capacity_ += storage.capacity();
    spare_storage_.push_back(std::move(storage));
}

std::size_t producer::in_flight_limit(const partition_state& p) const noexcept
{
    // Without sequence numbers a batch sent after one that fails could be written before its
    // retry; with them the broker refuses it until the retry is in (OUT_OF_ORDER_SEQUENCE_NUMBER).
    // But a broker that holds no state for the producer id on a partition takes its first batch
    // whatever the sequence: until one batch is acknowledged there, one at a time.
    const bool known = idempotence_.phase() == idempotence_phase::ready &&
                       p.acknowledged_producer_id == idempotence_.producer_id();
    return known ? options_.max_in_flight : 1;
}

void producer::request_producer_id(clock::time_point now)
{
    auto target = cluster_->any_broker();
    if (!target) return;
    idempotence_.requesting();
    next_id_request_at_ = now + options_.retry_backoff;
    auto encoder = [](wire::writer& w, std::int16_t version) {
        messages::encode(w, messages::init_producer_id_request{}, version);
    };
    target->send(
        wire::api_key::init_producer_id, encoder, options_.request_timeout + 1s,
        [weak = weak_from_this(), id = target->address().node_id](std::error_code ec, std::int16_t version,
                                                                   response_frame frame) {
            auto self = weak.lock();
            if (!self || self->stopped_) return;
            messages::init_producer_id_response resp;
            if (!ec) {
                wire::reader r(frame.body());
                if (auto err = messages::decode(r, resp, version)) ec = errc::bad_response;
            }
            const std::string broker = "broker " + std::to_string(id);
            if (ec == errc::no_common_version) {
                self->log_.info(broker + " has no InitProducerId (Kafka before 0.11): producing without " +
                                "idempotence, so a resend after a lost answer may write a batch twice");
                self->idempotence_.unsupported();
            } else if (ec || resp.error_code != 0) {
                auto why = ec ? ec : wire::make_broker_error(resp.error_code);
                if (!ec && wire::broker_error_action(wire::api_key::init_producer_id, resp.error_code) ==
                               wire::error_action::fatal) {
                    self->log_.warning(broker + " refused a producer id (" + why.message() +
                                       "): producing without idempotence");
                    self->idempotence_.unsupported();
                } else {
                    self->log_.info("InitProducerId to " + broker + " failed (" + why.message() + "); asking again");
                    self->idempotence_.request_failed();
                }
            } else {
                self->log_.info("idempotent producer: id " + std::to_string(resp.producer_id) + " epoch " +
                                std::to_string(resp.producer_epoch) + " from " + broker);
                self->idempotence_.got_id(resp.producer_id, resp.producer_epoch);
            }
            self->schedule_pump();
        });
}

void producer::want_metadata(bool urgent)
{
    metadata_wanted_ = true;
    metadata_urgent_ |= urgent;
}

void producer::maybe_refresh_metadata(clock::time_point now)
{
    if (!metadata_wanted_ || metadata_in_flight_ || (!metadata_urgent_ && now < next_metadata_at_)) return;
    metadata_wanted_ = false;
    metadata_urgent_ = false;
    metadata_in_flight_ = true;
    std::vector<std::string> names;
    for (const auto& [name, t] : topics_) names.push_back(name);
    for (const auto& [where, p] : partitions_) {
        if (names.empty() || names.back() != where.topic) names.push_back(where.topic);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    cluster_->refresh_metadata(names, [weak = weak_from_this()](std::error_code ec) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        self->metadata_in_flight_ = false;
        ++self->rounds_.metadata_responses;
        self->next_metadata_at_ = clock::now() + self->options_.retry_backoff;
        if (ec) {
            self->log_.info("producer metadata refresh failed: " + ec.message());
            self->metadata_wanted_ = true;
        }
        self->schedule_pump();
    });
}

void producer::arm_timer(clock::time_point wake)
{
    if (wake == clock::time_point::max()) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(wake);
    timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->pump();
    });
}

void producer::deliver(completions& done)
{
    for (auto& c : done) {
        if (c.handler) c.handler(c.ec, c.partition, c.offset);
    }
    done.clear();
    complete_flushes();
}

void producer::complete_flushes()
{
    if (flushes_.empty()) return;
    const std::uint64_t lowest = sequences_.lowest_unsettled();
    std::vector<flush_handler> ready;
    auto keep = std::stable_partition(flushes_.begin(), flushes_.end(),
                                      [lowest](const auto& f) { return f.first > lowest; });
    for (auto it = keep; it != flushes_.end(); ++it) ready.push_back(std::move(it->second));
    flushes_.erase(keep, flushes_.end());
    for (auto& handler : ready) handler({});
}

} // namespace kspout::io
