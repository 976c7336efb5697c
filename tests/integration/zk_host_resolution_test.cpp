// A connected zk::client does not look its servers up again on every request (the C library's default).
#include "protocol/zk/zk_client.hpp"
#include "tests/integration/run_until.hpp"
#include "tests/integration/zookeeper_server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <netdb.h>

#include <atomic>

namespace {

std::atomic<int> lookups{0};

} // namespace

// Counts every getaddrinfo in this test binary, the ZooKeeper library's included, then does the
// real one. Defined in the executable, it comes before libc's for the libraries it links.
extern "C" int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints, struct addrinfo** res)
{
    using real_fn = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
    static const auto real = reinterpret_cast<real_fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
    lookups.fetch_add(1);
    return real(node, service, hints, res);
}

namespace kspout::zk {
namespace {

using namespace std::chrono_literals;
using kspout::testing::run_until;

TEST(ZkHostResolution, RequestsOnAConnectedSessionLookNothingUp)
{
    kspout::testing::zookeeper_server server;
    boost::asio::io_context ioc;
    client_options options;
    options.connect_string = server.connect_string();
    options.session_timeout = 10s;
    client zk(ioc.get_executor(), options);
    ASSERT_FALSE(zk.start([](session_state) {}));
    ASSERT_TRUE(run_until(ioc, [&] { return zk.state() == session_state::connected; }));

    const int before = lookups.load();
    constexpr int requests = 40;
    for (int i = 0; i < requests; ++i) {
        bool answered = false;
        zk.exists("/absent", [&](std::error_code ec, std::optional<stat>) {
            EXPECT_FALSE(ec);
            answered = true;
        });
        ASSERT_TRUE(run_until(ioc, [&] { return answered; }));
    }
    const int during = lookups.load() - before;
    RecordProperty("lookups", during);
    // The library's default resolves once per socket check: at least one per request.
    EXPECT_LT(during, requests / 4) << during << " host lookups for " << requests << " requests";
    zk.close();
}

} // namespace
} // namespace kspout::zk
