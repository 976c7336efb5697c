// Bolt benchmark driver: plays Storm's acking ShellBolt against one bolt command, times it.
//
//   kspout_bench_bolt_drive TUPLES MAX_PENDING VALUE_SIZE CONF_JSON -- COMMAND [ARGS...]
//
// Like ShellBolt with ackers: tuples ["key-i", value] (value VALUE_SIZE bytes of JSON-like text)
// are written while fewer than MAX_PENDING (topology.shellbolt.max.pending, 100 by default in
// Storm) wait for their ack or fail, and a heartbeat tuple goes every second, which must be
// answered with sync. It stops once every tuple was acked (a fail stops the run), closes stdin
// and waits for the exit. Prints one JSON line: tuples, seconds from spawn to the last ack, the
// bolt's CPU seconds and peak RSS (its rusage), the driver's own CPU seconds, and its exit
// status (-1: killed or no exit; pystorm's bolts exit 2 when Storm goes away).
#include "bench/bench_run.h"
#include "bench/message_summary.hpp"
#include "multilang/framing.hpp"
#include "multilang/shell_common.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

using namespace kspout::multilang;
using kspout::bench::message_summary;
using namespace std::chrono_literals;

// One framed tuple message, as ShellBolt writes it.
std::string tuple_frame(long i, const std::string& padding)
{
    std::string value = "{\"n\":" + std::to_string(i) + ",\"user\":" + std::to_string(i * 7919 % 100000) + "}";
    value = (value + padding).substr(0, padding.size());
    json tuple = {{"id", std::to_string(i)},
                  {"comp", "source"},
                  {"stream", "default"},
                  {"task", 9},
                  {"tuple", {"key-" + std::to_string(i), value}}};
    std::string frame;
    append_frame(frame, tuple.dump());
    return frame;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 7 || std::string(argv[5]) != "--") {
        std::fprintf(stderr, "usage: %s TUPLES MAX_PENDING VALUE_SIZE CONF_JSON -- COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    const long wanted = std::atol(argv[1]);
    const long max_pending = std::max(1L, std::atol(argv[2]));
    const std::string padding(static_cast<std::size_t>(std::atol(argv[3])), 'x');
    json conf = json::parse(argv[4], nullptr, false);
    if (!conf.is_object()) {
        std::fprintf(stderr, "CONF_JSON must be a JSON object\n");
        return 2;
    }
    shell_command command;
    command.argv.assign(argv + 6, argv + argc);
    json context = {{"taskid", 1}, {"componentid", "bolt"}, {"task->component", {{"1", "bolt"}, {"9", "source"}}}};
    auto pid_dir = std::filesystem::temp_directory_path() / ("kspout-bench-bolt-" + std::to_string(::getpid()));
    std::filesystem::create_directories(pid_dir);
    const auto timeout = std::chrono::seconds(conf.value("topology.subprocess.timeout.secs", 30));
    std::string heartbeat;
    append_frame(heartbeat, R"({"id":"heartbeat","comp":null,"stream":"__heartbeat","task":-1,"tuple":[]})");

    const double start = bench_now_seconds();
    long acked = 0, sent = 0;
    double seconds = 0;
    int exit_status = -1;
    int status = 0;
    try {
        shell_process bolt(command);
        shell_handshake(bolt, pid_dir.string(), conf, context, 60s);
        double next_heartbeat = bench_now_seconds() + 1;
        long syncs_owed = 0;
        std::string batch;
        while (acked < wanted) {
            // Storm's writer: tuples up to max pending (written together; the bolt reads the same bytes).
            for (; sent < wanted && sent - acked < max_pending; ++sent) batch += tuple_frame(sent, padding);
            if (bench_now_seconds() >= next_heartbeat) {
                batch += heartbeat;
                ++syncs_owed;
                next_heartbeat += 1;
            }
            if (!batch.empty()) {
                bolt.write_raw(batch);
                batch.clear();
            }
            // Storm's reader: block for one message, then take what else is there.
            for (std::optional<std::string> next = bolt.read_message(timeout); next;
                 next = bolt.try_read_message(0ms)) {
                message_summary m;
                if (!json::sax_parse(*next, &m)) throw shell_error("malformed message: " + m.error);
                if (m.command == "ack") {
                    ++acked;
                } else if (m.command == "sync") {
                    --syncs_owed;
                } else if (m.command == "fail") {
                    throw shell_error("the bolt failed tuple " + m.id.value_or("?"));
                } else if (m.command == "log") {
                    std::fprintf(stderr, "bolt log: %s\n", next->c_str());
                } else if (m.command != "error") {
                    throw shell_error("unexpected message from a bolt: " + next->substr(0, 200));
                }
            }
        }
        seconds = bench_now_seconds() - start;
        bolt.close_stdin();
        auto st = bolt.wait(60s);
        if (st && WIFEXITED(*st)) exit_status = WEXITSTATUS(*st);
        if (auto err = bolt.drain_stderr(); !err.empty()) std::fputs(err.c_str(), stderr);
    } catch (const shell_error& e) {
        std::fprintf(stderr, "the bolt failed as Storm would see it: %s\n", e.what());
        status = 1;
    }
    std::filesystem::remove_all(pid_dir);

    rusage child{};
    getrusage(RUSAGE_CHILDREN, &child);
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    std::printf("{\"tuples\":%ld,\"seconds\":%.4f,\"cpu_seconds\":%.4f,\"max_rss_kb\":%ld,"
                "\"driver_cpu_seconds\":%.4f,\"exit_status\":%d}\n",
                acked, seconds, bench_cpu_seconds(&child), child.ru_maxrss, bench_cpu_seconds(&self),
                exit_status);
    return status;
}
