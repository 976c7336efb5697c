// The engine the spout and bolt tests run with: KSPOUT_TEST_ENGINE, so ctest can run them once per engine.
#pragma once

#include <cstdlib>
#include <string>

namespace kspout::testing {

// "native" (our client) unless KSPOUT_TEST_ENGINE says "rdkafka"; the value of kafka.client.engine.
inline std::string test_engine()
{
    const char* engine = std::getenv("KSPOUT_TEST_ENGINE");
    return engine && *engine ? engine : "native";
}

} // namespace kspout::testing
