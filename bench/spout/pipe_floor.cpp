// The floor under any acking spout: one Storm-sized command and its sync, round trip over two pipes.
//
//   kspout_bench_pipe_floor ROUND_TRIPS
//
// A forked child reads each `ack` command and answers `sync`, doing nothing else. With ackers on,
// Storm writes one ack per tuple and waits for its sync, so no spout can go faster than this many
// tuples/s on this machine. Prints one JSON line.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

constexpr std::string_view ack_command = "{\"command\":\"ack\",\"id\":\"bench:17:123456\"}\nend\n";
constexpr std::string_view sync_message = "{\"command\":\"sync\"}\nend\n";

bool transfer(int from, int to, std::string_view out, std::size_t in_size)
{
    char buffer[256];
    if (write(to, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return false;
    for (std::size_t got = 0; got < in_size;) {
        ssize_t n = read(from, buffer, sizeof buffer);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    const long round_trips = argc > 1 ? std::atol(argv[1]) : 200000;
    int to_child[2];
    int to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
    pid_t child = fork();
    if (child == 0) {
        for (long i = 0; i < round_trips; ++i) {
            if (!transfer(to_child[0], to_parent[1], i == 0 ? "" : sync_message, ack_command.size())) _exit(1);
        }
        _exit(write(to_parent[1], sync_message.data(), sync_message.size()) > 0 ? 0 : 1);
    }
    auto start = std::chrono::steady_clock::now();
    bool ok = true;
    for (long i = 0; i < round_trips && ok; ++i) ok = transfer(to_parent[0], to_child[1], ack_command, sync_message.size());
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("{\"round_trips\":%ld,\"seconds\":%.4f,\"tuples\":%ld,\"cpu_seconds\":0,\"max_rss_kb\":0}\n",
                round_trips, seconds, round_trips);
    return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
