// Test helper: runs an io_context until a condition holds, with a generous limit that only stops hung tests.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace kspout::testing {

// Runs ioc in short slices until done() is true or `limit` has passed; returns done(). The limit
// is not a timing assertion: it only turns a hang into a failure.
template <typename Predicate>
bool run_until(boost::asio::io_context& ioc, Predicate done, std::chrono::seconds limit = std::chrono::seconds(30))
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) ioc.run_for(std::chrono::milliseconds(10));
    return done();
}

// Runs ioc until nothing is left for it to do (every socket closed, every timer done); returns
// false if work remains after `limit`. Proves that whatever was still in flight has landed.
inline bool run_until_idle(boost::asio::io_context& ioc, std::chrono::seconds limit = std::chrono::seconds(30))
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!ioc.stopped() && std::chrono::steady_clock::now() < deadline) ioc.run_for(std::chrono::milliseconds(10));
    return ioc.stopped();
}

// Runs ioc for a fixed time, letting background work (fetches, retries) happen.
inline void run_for(boost::asio::io_context& ioc, std::chrono::milliseconds duration)
{
    ioc.restart();
    ioc.run_for(duration);
}

} // namespace kspout::testing
