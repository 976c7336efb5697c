// Consumer benchmark, our side: read N messages of a topic from the beginning with either engine, print one JSON line.
#include "bench/bench_run.h"
#include "bench/tls_from_env.h"
#include "protocol/engine/engines.hpp"
#include "protocol/io/simple_consumer.hpp"

#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace {

// The rdkafka engine, as the spout builds it, on every partition of `topic` from the reset policy.
std::shared_ptr<kspout::io::fetch_engine> rdkafka_engine(boost::asio::io_context& ioc,
                                                         kspout::io::cluster_options cluster_options,
                                                         const kspout::io::consumer_options& options)
{
    auto metadata = kspout::io::cluster::create(ioc.get_executor(), cluster_options);
    std::optional<std::error_code> refreshed;
    metadata->refresh_metadata({options.topic}, [&](std::error_code ec) { refreshed = ec; });
    while (!refreshed) ioc.run_one();
    const auto* topic = metadata->topic(options.topic);
    if (*refreshed || !topic) throw std::runtime_error("no metadata for " + options.topic);
    std::vector<kspout::io::partition_start> starts;
    for (const auto& p : topic->partitions) starts.push_back({p.partition, std::nullopt});
    cluster_options.engine = kspout::io::client_engine::rdkafka;
    auto engine = kspout::engine::fetch_engine_factory(ioc.get_executor(), cluster_options, {})(metadata, options);
    if (auto ec = engine->assign(starts)) throw std::runtime_error("assign: " + ec.message());
    return engine;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES [native|rdkafka]\n", argv[0]);
        return 2;
    }
    const std::string bootstrap = argv[1];
    const std::string topic = argv[2];
    const std::size_t wanted = std::strtoull(argv[3], nullptr, 10);
    const std::string engine_name = argc == 5 ? argv[4] : "native";

    boost::asio::io_context ioc;
    kspout::io::cluster_options cluster;
    cluster.bootstrap_servers = {bootstrap};
    if (bench_tls tls{}; bench_tls_from_env(&tls)) {
        cluster.broker.security = kspout::io::security_protocol::ssl;
        cluster.broker.tls.ca_location = tls.ca;
        cluster.broker.tls.certificate_location = tls.certificate;
        cluster.broker.tls.key_location = tls.key;
        cluster.broker.tls.key_password = tls.key_password;
    }
    kspout::io::consumer_options options;
    options.topic = topic;
    options.auto_offset_reset = kspout::io::offset_reset::earliest;
    options.check_crcs = true;

    auto start = std::chrono::steady_clock::now();
    std::shared_ptr<kspout::io::fetch_engine> consumer;
    if (engine_name == "rdkafka") {
        consumer = rdkafka_engine(ioc, cluster, options);
    } else {
        auto ours = kspout::io::simple_consumer::create(ioc.get_executor(), cluster, options);
        ours->assign_all();
        consumer = ours;
    }
    std::size_t seen = 0;
    std::size_t bytes = 0;
    std::function<void(std::error_code)> drain = [&](std::error_code ec) {
        if (ec) return;
        for (;;) {
            auto batch = consumer->poll(10000);
            if (batch.empty()) break;
            for (const auto& m : batch) bytes += m.value ? m.value->size() : 0;
            seen += batch.size();
        }
        if (seen >= wanted) {
            consumer->stop();
            ioc.stop();
            return;
        }
        consumer->async_wait_data(drain);
    };
    consumer->async_wait_data(drain);
    ioc.run();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"client\":\"ours/%s\",\"messages\":%zu,\"value_bytes\":%zu,\"seconds\":%.4f,"
                "\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld}\n",
                engine_name.c_str(), seen, bytes, seconds, bench_cpu_seconds(&usage), usage.ru_maxrss);
    return seen >= wanted ? 0 : 1;
}
