// The C library's log lines: level and text parsed from its prefix, routed to the process-wide logger.
#include "protocol/zk/zk_log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kspout::zk {
namespace {

TEST(ZkLog, ParsesLevelAndTextFromTheLibraryPrefix)
{
    auto warn = parse_library_line("2024-05-01 10:00:00,123:4242(0x7f00aa):ZOO_WARN@zookeeper_interest@2191: "
                                   "Delaying connection after exhaustively trying all servers [127.0.0.1:1]");
    EXPECT_EQ(warn.level, log::log_level::warning);
    EXPECT_EQ(warn.text, "Delaying connection after exhaustively trying all servers [127.0.0.1:1]");

    auto error = parse_library_line("2024-05-01 10:00:00,123:1(0x1):ZOO_ERROR@handle_socket_error_msg@1290: "
                                    "Socket [127.0.0.1:1] zk retcode=-4, errno=111(Connection refused): x");
    EXPECT_EQ(error.level, log::log_level::error);
    EXPECT_EQ(error.text, "Socket [127.0.0.1:1] zk retcode=-4, errno=111(Connection refused): x");

    EXPECT_EQ(parse_library_line("t:1(0x1):ZOO_INFO@f@1: a").level, log::log_level::info);
    EXPECT_EQ(parse_library_line("t:1(0x1):ZOO_DEBUG@f@1: a").level, log::log_level::debug);
}

TEST(ZkLog, OtherLinesKeepTheirText)
{
    auto odd = parse_library_line("no prefix here");
    EXPECT_EQ(odd.level, log::log_level::info);
    EXPECT_EQ(odd.text, "no prefix here");
}

TEST(ZkLog, RoutesToTheProcessWideLoggerAboveItsThreshold)
{
    std::vector<std::pair<log::log_level, std::string>> seen;
    log::logger capture;
    capture.sink = [&seen](log::log_level level, std::string_view text) { seen.emplace_back(level, text); };
    capture.threshold = log::log_level::warning;
    set_library_logger(capture);

    route_library_line("t:1(0x1):ZOO_WARN@f@1: first\n");
    route_library_line("t:1(0x1):ZOO_INFO@f@1: below the threshold");
    route_library_line("t:1(0x1):ZOO_ERROR@f@1: second");
    route_library_line(nullptr);
    set_library_logger({});
    route_library_line("t:1(0x1):ZOO_ERROR@f@1: after the logger was removed");

    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], (std::pair{log::log_level::warning, std::string("zookeeper: first")}));
    EXPECT_EQ(seen[1], (std::pair{log::log_level::error, std::string("zookeeper: second")}));
}

} // namespace
} // namespace kspout::zk
