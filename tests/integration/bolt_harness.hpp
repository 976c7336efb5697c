// Test harness: runs the kafka-bolt executable the way Storm's ShellBolt does, and makes its input tuples.
#pragma once

#include "multilang/shell_bolt.hpp"
#include "tests/integration/exit_status.hpp"
#include "tests/integration/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace kspout::testing {

// kafka.* settings for a bolt writing to `topic` of the brokers at `bootstrap`, with short
// client timeouts for loopback.
multilang::json bolt_conf(const std::string& bootstrap, const std::string& topic);

struct bolt_task_options {
    multilang::json conf;                                        // kafka.* keys and Storm keys
    multilang::json output_fields = multilang::json::object();  // stream -> fields it declares
    std::chrono::milliseconds timeout = std::chrono::seconds(10); // topology.subprocess.timeout.secs
};

class bolt_task {
public:
    bolt_task(const temp_dir& pid_dir, bolt_task_options options);

    multilang::shell_bolt& storm() { return *bolt_; }
    multilang::shell_process& process() { return bolt_->process(); }

    // Reads until every id given is acked or failed; returns what was read on the way.
    multilang::bolt_output read_until_settled(const std::vector<std::string>& ids);

private:
    std::unique_ptr<multilang::shell_bolt> bolt_;
};

// A tuple as kafka-spout emits it with its default fields: topic, partition, offset, key, value.
multilang::bolt_tuple spout_tuple(const std::string& id, std::int32_t partition, std::int64_t offset,
                                  const std::string& key, const std::string& value);

} // namespace kspout::testing
