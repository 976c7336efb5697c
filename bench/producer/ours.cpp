// Producer benchmark, our side: write N records with acks=all (idempotently if asked), print one JSON line.
#include "bench/bench_run.h"
#include "bench/producer/payload.h"
#include "protocol/io/producer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv)
{
    const bool idempotent = argc == 7 && std::string(argv[6]) == "idempotent";
    if (argc != 6 && !idempotent) {
        std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC MESSAGES VALUE_SIZE CODEC [idempotent]\n", argv[0]);
        return 2;
    }
    const std::string topic = argv[2];
    const std::size_t wanted = std::strtoull(argv[3], nullptr, 10);
    std::string value(std::strtoull(argv[4], nullptr, 10), ' ');
    bench_payload(value.data(), value.size());
    auto codec = kspout::records::compression_from_string(argv[5]);
    if (!codec) {
        std::fprintf(stderr, "unknown codec %s\n", argv[5]);
        return 2;
    }

    boost::asio::io_context ioc;
    kspout::io::cluster_options cluster_options;
    cluster_options.bootstrap_servers = {argv[1]};
    auto cluster = kspout::io::cluster::create(ioc.get_executor(), cluster_options);
    kspout::io::producer_options options;
    options.acks = -1;
    options.idempotence = idempotent; // kafka-bolt's default (and the Java client's)
    options.compression = *codec;
    kspout::log::logger log; // KSPOUT_BENCH_LOG=1: the producer's log on stderr, to see why a run failed
    if (std::getenv("KSPOUT_BENCH_LOG")) {
        log.sink = [](kspout::log::log_level, std::string_view line) {
            std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
        };
    }
    auto producer = kspout::io::producer::create(cluster, options, log);

    // The delivery handler captures one pointer, so std::function keeps it inline (no allocation
    // per record), as librdkafka's one delivery callback for all records needs none.
    struct progress {
        boost::asio::io_context& ioc;
        std::size_t wanted;
        std::size_t produced = 0;
        std::size_t delivered = 0;
        std::size_t failed = 0;
        bool refill_posted = false;
        std::function<void()> fill;
    } run{ioc, wanted, 0, 0, 0, false, {}};
    auto start = std::chrono::steady_clock::now();
    auto on_delivery = [p = &run](std::error_code ec, std::int32_t, std::int64_t) {
        ++p->delivered;
        if (ec && p->failed++ == 0) std::fprintf(stderr, "delivery failed: %s\n", ec.message().c_str());
        if (p->produced < p->wanted && !p->refill_posted) {
            p->refill_posted = true;
            boost::asio::post(p->ioc, p->fill);
        }
    };
    run.fill = [&] {
        run.refill_posted = false;
        while (run.produced < wanted) {
            std::error_code ec = producer->produce(topic, std::nullopt, std::nullopt, value, {}, std::nullopt, on_delivery);
            if (ec == kspout::io::producer_errc::queue_full) return; // a delivery posts the next fill
            if (ec) {
                std::fprintf(stderr, "produce: %s\n", ec.message().c_str());
                std::exit(1);
            }
            ++run.produced;
        }
        producer->flush([&](std::error_code) {
            producer->stop();
            cluster->shut_down();
        });
    };
    boost::asio::post(ioc, run.fill);
    ioc.run();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"client\":\"ours\",\"messages\":%zu,\"failed\":%zu,\"seconds\":%.4f,"
                "\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld}\n",
                run.delivered, run.failed, seconds, bench_cpu_seconds(&usage), usage.ru_maxrss);
    return run.delivered == wanted && run.failed == 0 ? 0 : 1;
}
