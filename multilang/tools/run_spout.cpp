// kspout-run-spout: runs a multilang spout command as N Storm tasks, acking every tuple, without Storm.
//
//   kspout-run-spout [--tasks N] [--conf JSON] [--fields a,b,c] [--max-tuples N] [--idle-ms N]
//                    [--print N] -- COMMAND [ARGS...]
//
// A one-spout topology for the local runner (multilang/local): each task is a subprocess driven
// as Storm's ShellSpout drives it, and since nothing subscribes, the acker acks every reliable
// tuple at once. Tuples are printed as JSON lines "task <id>: <tuple>", the first --print of
// them. It stops after --max-tuples tuples (once acked) or when no task emitted for --idle-ms,
// deactivates, closes every task's stdin and reports any task that did not exit 0.
#include "multilang/bounded_json.hpp"
#include "multilang/local/runner.hpp"
#include "multilang/tools/count_argument.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace kspout::multilang;
using namespace kspout::multilang::local;

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

long number(const std::string& flag, const std::string& text)
{
    auto v = kspout::multilang::tools::count_argument(text);
    if (!v) usage(flag + " needs a number >= 0, not \"" + text + "\"");
    return *v;
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
            long tasks = number("--tasks", value("--tasks"));
            if (tasks < 1 || tasks > 1000) usage("--tasks must be from 1 to 1000"); // as Flux parallelism
            o.tasks = static_cast<int>(tasks);
        } else if (arg == "--conf") {
            std::string error;
            auto conf = parse_bounded_json(value("--conf"), error);
            if (!conf || !conf->is_object()) usage("--conf needs a JSON object" + (conf ? "" : ": " + error));
            o.conf = std::move(*conf);
        } else if (arg == "--fields") {
            o.fields.clear();
            std::string list = value("--fields");
            for (std::size_t start = 0; start <= list.size();) {
                std::size_t end = std::min(list.find(',', start), list.size());
                o.fields.push_back(list.substr(start, end - start));
                start = end + 1;
            }
        } else if (arg == "--max-tuples") {
            o.max_tuples = number("--max-tuples", value("--max-tuples"));
        } else if (arg == "--idle-ms") {
            o.idle_ms = number("--idle-ms", value("--idle-ms"));
        } else if (arg == "--print") {
            o.print = number("--print", value("--print"));
        } else {
            usage("unknown argument " + arg);
        }
    }
    if (o.command.empty()) usage("no command after --");
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    options o = parse(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // keep tuples in order with the tasks' log lines

    topology_def topology;
    topology.name = "kspout-run-spout";
    topology.config = o.conf;
    component_def spout;
    spout.id = "spout";
    spout.command = o.command;
    spout.streams["default"] = o.fields;
    spout.parallelism = o.tasks;
    topology.components.push_back(spout);

    run_options ro;
    ro.max_tuples = o.max_tuples;
    ro.idle_stop = std::chrono::milliseconds(o.idle_ms);
    ro.shutdown_grace = std::chrono::seconds(30);
    ro.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    long printed = 0;
    ro.on_emit = [&](const emitted_tuple& t) {
        if (printed++ < o.print) std::printf("task %lld: %s\n", static_cast<long long>(t.task), t.values.dump().c_str());
    };
    std::map<std::int64_t, long> acked;
    ro.on_outcome = [&](const spout_outcome& out) {
        if (out.kind == outcome_kind::acked) ++acked[out.task];
    };
    try {
        run_summary summary = run_local_topology(topology, ro);
        std::printf("%ld tuples acked:", summary.components.at(0).acked);
        for (auto [task, n] : acked) std::printf(" task %lld %ld", static_cast<long long>(task), n);
        std::printf("\n");
        for (const auto& note : summary.notes) std::fprintf(stderr, "kspout-run-spout: %s\n", note.c_str());
        if (summary.notes.empty()) std::fprintf(stderr, "kspout-run-spout: every task exited 0\n");
        return summary.notes.empty() ? 0 : 1;
    } catch (const topology_error& e) {
        std::fprintf(stderr, "kspout-run-spout: the spout failed as Storm would see it: %s\n", e.what());
        return 1;
    }
}
