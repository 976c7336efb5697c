// Spout benchmark driver: plays Storm's ShellSpout against one spout command, acks every tuple, times it.
//
//   kspout_bench_spout_drive acker|zero-acker TUPLES CONF_JSON -- COMMAND [ARGS...]
//
// acker: Storm with ackers and a prompt acker. `next`, then one `ack` per tuple that `next`
// produced, each written only after the previous command's sync (Storm blocks on every command).
// zero-acker: Storm with topology.acker.executors 0, which acks inside emit: each `ack` goes out
// once its emit is read, before the sync of the `next` that produced it, so acks pipeline (the
// driver writes the acks of all emits read so far in one write).
// Either way it stops once TUPLES distinct ids were acked, sends `deactivate` (the spout commits
// there), closes stdin and waits for the exit. Prints one JSON line: tuples, seconds from spawn
// to the last sync, the spout's CPU seconds and peak RSS (its rusage), the driver's own CPU
// seconds, and whether it exited 0.
#include "bench/bench_run.h"
#include "bench/message_summary.hpp"
#include "multilang/framing.hpp"
#include "multilang/shell_common.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

using namespace kspout::multilang;
using kspout::bench::message_summary;
using namespace std::chrono_literals;

std::string command_text(const char* name, const std::string& id)
{
    return json{{"command", name}, {"id", id}}.dump();
}

// Storm's side of one spout task, reduced to what the benchmark needs: every emit must carry a
// string id and a tuple of the declared arity, and nothing but emit, log, error and sync comes.
class driver {
public:
    driver(const shell_command& command, std::chrono::milliseconds timeout, long arity, bool pipelined_acks)
        : process_(command), timeout_(timeout), arity_(arity), pipelined_acks_(pipelined_acks)
    {
    }

    shell_process& process() { return process_; }

    // Writes one command and reads up to the syncs it is owed; returns the ids it emitted.
    std::vector<std::string> run(const char* name, const std::string& id)
    {
        process_.write_message(command_text(name, id));
        std::vector<std::string> ids;
        for (long syncs_owed = 1; syncs_owed > 0;) {
            auto next = process_.try_read_message(std::chrono::milliseconds(0));
            if (!next) {
                flush_acks(); // the spout may be waiting for them before it writes more
                next = process_.read_message(timeout_);
            }
            std::string text = std::move(*next);
            message_summary m;
            if (!json::sax_parse(text, &m)) throw shell_error("malformed message: " + m.error);
            if (m.command == "sync") {
                --syncs_owed;
            } else if (m.command == "emit") {
                if (!m.id || m.tuple_arity != arity_) throw shell_error("emit without id or of the wrong arity: " + text);
                if (pipelined_acks_) {
                    append_frame(acks_, command_text("ack", *m.id));
                    ++syncs_owed;
                }
                ids.push_back(std::move(*m.id));
            } else if (m.command == "log") {
                std::fprintf(stderr, "spout log: %s\n", text.c_str());
            } else if (m.command != "error") {
                throw shell_error("unexpected message from a spout: " + text.substr(0, 200));
            }
        }
        if (auto err = process_.drain_stderr(); !err.empty()) std::fputs(err.c_str(), stderr);
        return ids;
    }

private:
    // Acks of emits read so far, written in one go before the driver next waits. The spout sees
    // the bytes Storm would write, in the same order; only the number of writes differs.
    void flush_acks()
    {
        if (acks_.empty()) return;
        process_.write_raw(acks_);
        acks_.clear();
    }

    shell_process process_;
    std::string acks_;
    std::chrono::milliseconds timeout_;
    long arity_;
    bool pipelined_acks_;
};

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    if (argc < 6 || (mode != "acker" && mode != "zero-acker") || std::string(argv[4]) != "--") {
        std::fprintf(stderr, "usage: %s acker|zero-acker TUPLES CONF_JSON -- COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    const long wanted = std::atol(argv[2]);
    json conf = json::parse(argv[3], nullptr, false);
    if (!conf.is_object()) {
        std::fprintf(stderr, "CONF_JSON must be a JSON object\n");
        return 2;
    }
    shell_command command;
    command.argv.assign(argv + 5, argv + argc);
    json context = {{"taskid", 1},
                    {"componentid", "spout"},
                    {"task->component", {{"1", "spout"}}},
                    {"stream->outputfields", {{"default", {"topic", "partition", "offset", "key", "value"}}}}};
    auto pid_dir = std::filesystem::temp_directory_path() / ("kspout-bench-spout-" + std::to_string(::getpid()));
    std::filesystem::create_directories(pid_dir);

    const auto start = std::chrono::steady_clock::now();
    long acked = 0;
    long emitted = 0;
    double seconds = 0;
    bool clean_exit = false;
    int status = 0;
    try {
        driver spout(command, std::chrono::seconds(conf.value("topology.subprocess.timeout.secs", 30)),
                     static_cast<long>(context["stream->outputfields"]["default"].size()), mode == "zero-acker");
        shell_handshake(spout.process(), pid_dir.string(), conf, context, 60s);
        spout.run("activate", "");
        // A replay acks an id twice; counting each id once makes the total the data set.
        std::unordered_set<std::string> seen;
        seen.reserve(static_cast<std::size_t>(wanted));
        while (acked < wanted) {
            auto ids = spout.run("next", "");
            emitted += static_cast<long>(ids.size());
            for (auto& id : ids) {
                if (mode == "acker") spout.run("ack", id);
                if (seen.insert(std::move(id)).second) ++acked;
            }
        }
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spout.run("deactivate", "");
        spout.process().close_stdin();
        auto st = spout.process().wait(60s);
        clean_exit = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
    } catch (const shell_error& e) {
        std::fprintf(stderr, "the spout failed as Storm would see it: %s\n", e.what());
        status = 1;
    }
    std::filesystem::remove_all(pid_dir);

    rusage child{};
    getrusage(RUSAGE_CHILDREN, &child);
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    std::printf("{\"mode\":\"%s\",\"tuples\":%ld,\"emits\":%ld,\"seconds\":%.4f,\"cpu_seconds\":%.4f,"
                "\"max_rss_kb\":%ld,\"driver_cpu_seconds\":%.4f,\"clean_exit\":%s}\n",
                mode.c_str(), acked, emitted, seconds, bench_cpu_seconds(&child), child.ru_maxrss, bench_cpu_seconds(&self),
                clean_exit ? "true" : "false");
    return status != 0 || !clean_exit ? 1 : 0;
}
