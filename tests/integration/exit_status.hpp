// Test helper: waits for a multilang subprocess to exit 0, or says how it ended and what it wrote on stderr.
#pragma once

#include "multilang/shell_process.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>

namespace kspout::testing {

inline ::testing::AssertionResult exits_zero(multilang::shell_process& process, std::chrono::milliseconds limit)
{
    auto status = process.wait(limit);
    if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure();
    if (!status) {
        failure << "still running " << limit.count() << " ms later";
    } else if (WIFSIGNALED(*status)) {
        failure << "killed by signal " << WTERMSIG(*status);
    } else {
        failure << "exit status " << WEXITSTATUS(*status);
    }
    return failure << "; stderr: " << process.drain_stderr();
}

} // namespace kspout::testing
