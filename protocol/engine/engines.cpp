// The one place that knows both engines: builds the fetcher and the producer kafka.client.engine asks for.
#include "protocol/engine/engines.hpp"

#ifdef KSPOUT_WITH_RDKAFKA
#include "protocol/rdkafka/rdkafka_consumer.hpp"
#include "protocol/rdkafka/rdkafka_producer.hpp"
#endif

#include <stdexcept>

namespace kspout::engine {
namespace {

#ifndef KSPOUT_WITH_RDKAFKA
[[noreturn]] void not_built()
{
    throw std::invalid_argument("the rdkafka engine is not in this build (KSPOUT_WITH_RDKAFKA=OFF)");
}
#else
std::vector<rdkafka::property> passthrough(const io::cluster_options& cluster)
{
    std::vector<rdkafka::property> out;
    for (const auto& [name, value] : cluster.rdkafka_properties) out.push_back({name, value});
    return out;
}
#endif

} // namespace

io::fetch_engine_factory fetch_engine_factory(boost::asio::any_io_executor executor, const io::cluster_options& cluster,
                                              log::logger log)
{
    if (cluster.engine == io::client_engine::native) return {};
#ifdef KSPOUT_WITH_RDKAFKA
    return [executor, cluster, log](const std::shared_ptr<io::cluster>&, const io::consumer_options& consumer) {
        auto properties = rdkafka::consumer_properties(cluster, consumer, passthrough(cluster));
        return std::shared_ptr<io::fetch_engine>(rdkafka::rdkafka_consumer::create(executor, properties, consumer, log));
    };
#else
    return [](const std::shared_ptr<io::cluster>&, const io::consumer_options&) -> std::shared_ptr<io::fetch_engine> {
        not_built();
    };
#endif
}

std::shared_ptr<io::producer_engine> make_producer_engine(boost::asio::any_io_executor executor,
                                                          const std::shared_ptr<io::cluster>& cluster,
                                                          const io::cluster_options& cluster_options,
                                                          const io::producer_options& producer, log::logger log)
{
    if (cluster_options.engine == io::client_engine::native) return io::producer::create(cluster, producer, log);
#ifdef KSPOUT_WITH_RDKAFKA
    auto properties = rdkafka::producer_properties(cluster_options, producer, passthrough(cluster_options));
    return rdkafka::rdkafka_producer::create(std::move(executor), properties, producer, std::move(log));
#else
    (void)executor;
    not_built();
#endif
}

} // namespace kspout::engine
