// Consumer benchmark, our side: read N messages of a topic from the beginning, print one JSON line.
#include "bench/bench_run.h"
#include "protocol/io/simple_consumer.hpp"

#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES\n", argv[0]);
        return 2;
    }
    const std::string bootstrap = argv[1];
    const std::string topic = argv[2];
    const std::size_t wanted = std::strtoull(argv[3], nullptr, 10);

    boost::asio::io_context ioc;
    kspout::io::cluster_options cluster;
    cluster.bootstrap_servers = {bootstrap};
    kspout::io::consumer_options options;
    options.topic = topic;
    options.auto_offset_reset = kspout::io::offset_reset::earliest;
    options.check_crcs = true;
    auto consumer = kspout::io::simple_consumer::create(ioc.get_executor(), cluster, options);

    auto start = std::chrono::steady_clock::now();
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
    consumer->assign_all();
    consumer->async_wait_data(drain);
    ioc.run();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"client\":\"ours\",\"messages\":%zu,\"value_bytes\":%zu,\"seconds\":%.4f,"
                "\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld}\n",
                seen, bytes, seconds, bench_cpu_seconds(&usage), usage.ru_maxrss);
    return seen >= wanted ? 0 : 1;
}
