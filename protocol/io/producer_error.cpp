// The producer error category.
#include "protocol/io/producer_error.hpp"

#include "protocol/error/error_kind.hpp"

#include <string>

namespace kspout::io {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka.producer"; }

    std::string message(int ev) const override
    {
        switch (static_cast<producer_errc>(ev)) {
        case producer_errc::queue_full:
            return "producer buffer full (max_buffered_bytes reached); wait for deliveries or flush";
        case producer_errc::record_too_large: return "record is larger than the producer's max_buffered_bytes";
        case producer_errc::empty_topic: return "record has no topic name";
        case producer_errc::unknown_partition: return "the topic has no such partition";
        case producer_errc::delivery_timed_out: return "record not delivered within delivery_timeout";
        case producer_errc::zstd_needs_produce_v7:
            return "zstd compression needs Produce v7 (Kafka 2.1 or later); the partition leader supports less";
        case producer_errc::headers_need_produce_v3:
            return "record headers need Produce v3 (Kafka 0.11 or later); the partition leader supports less";
        }
        return "unknown producer error";
    }

    std::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<producer_errc>(ev)) {
        case producer_errc::queue_full:          // room comes back as deliveries finish
        case producer_errc::delivery_timed_out: // the record itself may still go through if sent again
            return error_kind::retriable;
        case producer_errc::record_too_large:
        case producer_errc::empty_topic:
        case producer_errc::unknown_partition:
        case producer_errc::zstd_needs_produce_v7:
        case producer_errc::headers_need_produce_v3: return error_kind::fatal;
        }
        return error_kind::fatal;
    }
};

} // namespace

const std::error_category& producer_category() noexcept
{
    static const category instance;
    return instance;
}

std::error_code make_error_code(producer_errc e) noexcept
{
    return {static_cast<int>(e), producer_category()};
}

} // namespace kspout::io
