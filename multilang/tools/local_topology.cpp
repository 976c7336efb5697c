// kspout-local-topology: runs a Flux topology of multilang spouts and bolts locally, as Storm
// would, without Storm.
//
//   kspout-local-topology FILE [--seconds N] [--max-tuples N] [--print N] [--set KEY=VALUE]...
//                         [--resources DIR] [--restart-tasks] [--quiet]
//
// FILE is Flux YAML (FluxShellSpout, FluxShellBolt, LogInfoBolt) or the same structure in a
// .json file. Every task is a subprocess driven as ShellSpout/ShellBolt drive it, with Storm's
// acker, groupings, message timeouts and max-spout-pending. It stops after --seconds, or after
// --max-tuples spout tuples once their trees finish, or on SIGINT/SIGTERM; then prints per
// component counts. Component logs go to stderr (--quiet drops them); this host's stdout has
// the first --print tuples and the summary. --restart-tasks starts a task whose subprocess dies
// again, as Storm's supervisor restarts a dead worker. Exit status: 0 clean, 1 a component did
// what Storm kills a worker for, 2 bad arguments or topology.
#include "multilang/bounded_json.hpp"
#include "multilang/local/flux.hpp"
#include "multilang/local/runner.hpp"
#include "multilang/tools/count_argument.hpp"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace {

using namespace kspout::multilang;
using namespace kspout::multilang::local;

std::atomic<bool> stop_requested{false};

extern "C" void on_signal(int) { stop_requested = true; }

struct options {
    std::string file;
    long seconds = 0;
    long max_tuples = 0;
    long print = 0;
    json overrides = json::object();
    std::string resources;
    bool restart_tasks = false;
    bool quiet = false;
};

[[noreturn]] void usage(const std::string& why)
{
    std::fprintf(stderr,
                 "kspout-local-topology: %s\nusage: kspout-local-topology FILE [--seconds N] [--max-tuples N] "
                 "[--print N] [--set KEY=VALUE]... [--resources DIR] [--restart-tasks] [--quiet]\n",
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
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value for " + arg);
            return argv[++i];
        };
        if (arg == "--seconds") {
            o.seconds = number(arg, value());
        } else if (arg == "--max-tuples") {
            o.max_tuples = number(arg, value());
        } else if (arg == "--print") {
            o.print = number(arg, value());
        } else if (arg == "--set") {
            std::string kv = value();
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) usage("--set needs KEY=VALUE, not \"" + kv + "\"");
            // A JSON value (number, true, [..]) is taken as such; anything else is a string.
            std::string ignored;
            auto v = parse_bounded_json(kv.substr(eq + 1), ignored);
            o.overrides[kv.substr(0, eq)] = v ? std::move(*v) : json(kv.substr(eq + 1));
        } else if (arg == "--resources") {
            o.resources = value();
        } else if (arg == "--restart-tasks") {
            o.restart_tasks = true;
        } else if (arg == "--quiet") {
            o.quiet = true;
        } else if (arg.starts_with("-")) {
            usage("unknown option " + arg);
        } else if (o.file.empty()) {
            o.file = arg;
        } else {
            usage("more than one topology file");
        }
    }
    if (o.file.empty()) usage("no topology file");
    return o;
}

void print_summary(const topology_def& topology, const run_summary& summary)
{
    std::printf("topology %s\n", topology.name.c_str());
    std::printf("%-20s %-5s %5s %9s %9s %9s %9s %9s\n", "component", "kind", "tasks", "emitted", "executed", "acked",
                "failed", "timed-out");
    for (const auto& c : summary.components) {
        bool spout = c.kind == component_kind::spout;
        std::printf("%-20s %-5s %5d %9ld %9s %9ld %9ld %9s\n", c.id.c_str(), spout ? "spout" : "bolt", c.tasks,
                    c.emitted, spout ? "-" : std::to_string(c.executed).c_str(), c.acked, c.failed,
                    spout ? std::to_string(c.timed_out).c_str() : "-");
    }
    for (const auto& note : summary.notes) std::printf("note: %s\n", note.c_str());
}

} // namespace

int main(int argc, char** argv)
{
    options o = parse(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    topology_def topology;
    try {
        topology = load_topology_file(o.file);
        for (const auto& [k, v] : o.overrides.items()) topology.config[k] = v;
        read_settings(topology.config);
    } catch (const topology_error& e) {
        std::fprintf(stderr, "kspout-local-topology: %s\n", e.what());
        return 2;
    }

    // Ctrl-C reaches the whole process group. SIGINT stays blocked here, and so in every
    // subprocess (the mask survives exec), so only this host sees it and stops them in order;
    // a thread waits for it. SIGTERM, which is sent to one pid, gets a plain handler.
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &interrupt, nullptr);
    std::thread([interrupt] {
        for (int sig = 0;; stop_requested = true) ::sigwait(&interrupt, &sig);
    }).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigaction(SIGTERM, &sa, nullptr);

    run_options ro;
    ro.duration = std::chrono::seconds(o.seconds);
    ro.max_tuples = o.max_tuples;
    // Storm runs each subprocess in the topology's resources directory; here the file's own.
    ro.working_dir = !o.resources.empty() ? o.resources
                                          : std::filesystem::absolute(o.file).parent_path().string();
    ro.stop = &stop_requested;
    ro.restart_dead_tasks = o.restart_tasks;
    if (!o.quiet) ro.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    long printed = 0;
    ro.on_emit = [&](const emitted_tuple& t) {
        if (printed >= o.print) return;
        ++printed;
        std::printf("%s:%lld %s %s\n", t.component.c_str(), static_cast<long long>(t.task), t.stream.c_str(),
                    t.values.dump().c_str());
    };
    try {
        run_summary summary = run_local_topology(topology, ro);
        print_summary(topology, summary);
    } catch (const component_failure& e) {
        std::fprintf(stderr, "kspout-local-topology: stopped: %s\n", e.what());
        return 1;
    } catch (const topology_error& e) {
        std::fprintf(stderr, "kspout-local-topology: %s\n", e.what());
        return 2;
    }
    return 0;
}
