// The one place that knows both engines: builds the fetcher and the producer kafka.client.engine asks for.
#pragma once

#include "protocol/io/cluster.hpp"
#include "protocol/io/fetch_engine.hpp"
#include "protocol/io/producer.hpp"
#include "protocol/io/producer_engine.hpp"
#include "protocol/log/logger.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace kspout::engine {

// Empty for the native engine (the member then fetches with our simple_consumer); for rdkafka, a
// factory of librdkafka consumers configured from `cluster` and the member's consumer options.
io::fetch_engine_factory fetch_engine_factory(boost::asio::any_io_executor executor, const io::cluster_options& cluster,
                                              log::logger log);

// Our producer on `cluster` (which the rdkafka engine does not use), or librdkafka's. Throws
// std::invalid_argument for options or properties the engine refuses, or an engine this build lacks.
std::shared_ptr<io::producer_engine> make_producer_engine(boost::asio::any_io_executor executor,
                                                          const std::shared_ptr<io::cluster>& cluster,
                                                          const io::cluster_options& cluster_options,
                                                          const io::producer_options& producer, log::logger log);

} // namespace kspout::engine
