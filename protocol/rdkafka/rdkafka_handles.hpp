// Owning pointers for librdkafka's C objects, each released by its own destroy function.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace kspout::rdkafka {

template <typename T, void (*destroy)(T*)>
struct destroyer {
    void operator()(T* p) const noexcept
    {
        if (p) destroy(p);
    }
};

using conf_ptr = std::unique_ptr<rd_kafka_conf_t, destroyer<rd_kafka_conf_t, rd_kafka_conf_destroy>>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, destroyer<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using event_ptr = std::unique_ptr<rd_kafka_event_t, destroyer<rd_kafka_event_t, rd_kafka_event_destroy>>;
using error_ptr = std::unique_ptr<rd_kafka_error_t, destroyer<rd_kafka_error_t, rd_kafka_error_destroy>>;
using message_ptr = std::unique_ptr<rd_kafka_message_t, destroyer<rd_kafka_message_t, rd_kafka_message_destroy>>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                           destroyer<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;

} // namespace kspout::rdkafka
