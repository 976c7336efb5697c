// kspout-run-spout: runs a multilang spout command as N Storm tasks, acking every tuple, without Storm.
//
//   kspout-run-spout [--tasks N] [--conf JSON] [--fields a,b,c] [--max-tuples N] [--idle-ms N]
//                    [--print N] -- COMMAND [ARGS...]
//
// Each task is a subprocess driven as Storm's ShellSpout drives it (handshake, activate, next,
// ack), with a context that makes the tasks one component. Tuples are printed as JSON lines
// "task <id>: <tuple>", the first --print of them. It stops after --max-tuples tuples or when
// no task emitted for --idle-ms, closes every task's stdin and reports how each exited.
#include "multilang/shell_spout.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace kspout::multilang;
using namespace std::chrono_literals;

struct options {
    int tasks = 1;
    json conf = json::object();
    std::vector<std::string> fields{"topic", "partition", "offset", "key", "value"};
    long max_tuples = 1000000;
    long idle_ms = 3000;
    long print = 20;
    std::vector<std::string> command;
};

[[noreturn]] void usage(const std::string& why)
{
    std::fprintf(stderr, "kspout-run-spout: %s\nusage: kspout-run-spout [--tasks N] [--conf JSON] "
                         "[--fields a,b] [--max-tuples N] [--idle-ms N] [--print N] -- COMMAND [ARGS...]\n",
                 why.c_str());
    std::exit(2);
}

options parse(int argc, char** argv)
{
    options o;
    int i = 1;
    auto value = [&](const char* name) -> std::string {
        if (i + 1 >= argc) usage(std::string("missing value for ") + name);
        return argv[++i];
    };
    for (; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            o.command.assign(argv + i + 1, argv + argc);
            break;
        } else if (arg == "--tasks") {
            o.tasks = std::atoi(value("--tasks").c_str());
        } else if (arg == "--conf") {
            o.conf = json::parse(value("--conf"), nullptr, false);
            if (!o.conf.is_object()) usage("--conf needs a JSON object");
        } else if (arg == "--fields") {
            o.fields.clear();
            std::string list = value("--fields");
            for (std::size_t start = 0; start <= list.size();) {
                std::size_t end = std::min(list.find(',', start), list.size());
                o.fields.push_back(list.substr(start, end - start));
                start = end + 1;
            }
        } else if (arg == "--max-tuples") {
            o.max_tuples = std::atol(value("--max-tuples").c_str());
        } else if (arg == "--idle-ms") {
            o.idle_ms = std::atol(value("--idle-ms").c_str());
        } else if (arg == "--print") {
            o.print = std::atol(value("--print").c_str());
        } else {
            usage("unknown argument " + arg);
        }
    }
    if (o.command.empty()) usage("no command after --");
    if (o.tasks < 1) usage("--tasks must be at least 1");
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    options o = parse(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // keep tuples in order with the tasks' log lines
    auto pid_dir = std::filesystem::temp_directory_path() / ("kspout-run-spout-" + std::to_string(::getpid()));
    std::filesystem::create_directories(pid_dir);

    json task_to_component = json::object();
    for (int t = 1; t <= o.tasks; ++t) task_to_component[std::to_string(t)] = "spout";
    std::vector<std::unique_ptr<shell_spout>> tasks;
    int status = 0;
    try {
        for (int t = 1; t <= o.tasks; ++t) {
            shell_command command;
            command.argv = o.command;
            shell_spout_options so;
            so.conf = o.conf;
            so.context = {{"taskid", t},
                          {"componentid", "spout"},
                          {"task->component", task_to_component},
                          {"stream->outputfields", {{"default", o.fields}}}};
            so.pid_dir = pid_dir.string();
            so.timeout = std::chrono::milliseconds(1000 * o.conf.value("topology.subprocess.timeout.secs", 30));
            so.on_stderr = [t](const std::string& text) { std::fprintf(stderr, "task %d stderr: %s", t, text.c_str()); };
            tasks.push_back(std::make_unique<shell_spout>(command, so));
            long pid = tasks.back()->open();
            tasks.back()->activate();
            std::fprintf(stderr, "task %d: started, pid %ld\n", t, pid);
        }
        long total = 0;
        std::vector<long> per_task(static_cast<std::size_t>(o.tasks), 0);
        auto last_emit = std::chrono::steady_clock::now();
        while (total < o.max_tuples &&
               std::chrono::steady_clock::now() - last_emit < std::chrono::milliseconds(o.idle_ms)) {
            for (int t = 0; t < o.tasks; ++t) {
                auto reply = tasks[static_cast<std::size_t>(t)]->next();
                for (const auto& l : reply.logs) std::fprintf(stderr, "task %d log: %s\n", t + 1, l.msg.c_str());
                for (const auto& e : reply.emits) {
                    if (total < o.print) std::printf("task %d: %s\n", t + 1, e.tuple.dump().c_str());
                    ++total;
                    ++per_task[static_cast<std::size_t>(t)];
                    if (e.id) tasks[static_cast<std::size_t>(t)]->ack(*e.id);
                }
                if (!reply.emits.empty()) last_emit = std::chrono::steady_clock::now();
            }
        }
        std::printf("%ld tuples acked:", total);
        for (int t = 0; t < o.tasks; ++t) std::printf(" task %d %ld", t + 1, per_task[static_cast<std::size_t>(t)]);
        std::printf("\n");
        for (auto& task : tasks) {
            task->deactivate();
            task->process().close_stdin();
        }
        for (int t = 0; t < o.tasks; ++t) {
            auto st = tasks[static_cast<std::size_t>(t)]->process().wait(30s);
            bool clean = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
            std::fprintf(stderr, "task %d: %s\n", t + 1, clean ? "exited 0 after committing" : "did not exit cleanly");
            if (!clean) status = 1;
        }
    } catch (const shell_error& e) {
        std::fprintf(stderr, "kspout-run-spout: the spout failed as Storm would see it: %s\n", e.what());
        status = 1;
    }
    tasks.clear();
    std::filesystem::remove_all(pid_dir);
    return status;
}
