// A pykafka BalancedConsumer in a child process (pykafka_member.py), and what it reports doing.
#pragma once

#include "tests/integration/pykafka_peer.hpp"
#include "tests/integration/temp_dir.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

namespace kspout::testing {

struct pykafka_consumed {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
};

// Started at construction as a member of `group` on `topic`; SIGKILLed by the destructor if still
// running. poll() reads the events the script logged since the last call.
class pykafka_member {
public:
    pykafka_member(const pykafka_cluster& cluster, const std::string& topic, const std::string& group);
    ~pykafka_member();
    pykafka_member(const pykafka_member&) = delete;
    pykafka_member& operator=(const pykafka_member&) = delete;

    // Reads new events. Throws std::runtime_error, with the script's output, if it exited.
    void poll();

    const std::string& consumer_id() const { return consumer_id_; } // empty until it joined
    const std::set<std::int32_t>& held() const { return held_; }
    // The records consumed since the last call.
    std::vector<pykafka_consumed> take_consumed();
    int commits() const { return commits_; } // calls of commit_offsets() so far

    void pause();  // SIGSTOP: it reads and commits nothing more, and its session runs out
    void kill();   // SIGKILL, reaped
    bool running() const { return pid_ > 0; }
    std::string log() const; // what the script printed (pykafka's warnings, a traceback)

private:
    temp_dir dir_;
    pid_t pid_ = -1;
    std::size_t read_ = 0; // bytes of the events file already handled
    std::string consumer_id_;
    std::set<std::int32_t> held_;
    std::vector<pykafka_consumed> consumed_;
    int commits_ = 0;
};

} // namespace kspout::testing
