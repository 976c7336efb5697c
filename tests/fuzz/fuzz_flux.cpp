// libFuzzer: the local runner's Flux reader (the YAML subset, or JSON), then what the runner does
// with a topology before starting it: settings, task ids, each component's handshake. Input:
// [0: YAML, 1: JSON][file text]. The only exception allowed out is topology_error.
#include "multilang/local/flux.hpp"
#include "multilang/local/topology.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace {

using namespace kspout::multilang;
using namespace kspout::multilang::local;

void use(const topology_def& topology)
{
    (void)read_settings(topology.config);
    task_layout layout = assign_tasks(topology);
    for (const component_def& c : topology.components) {
        std::int64_t first_task = layout.component_tasks.at(c.id).front();
        json handshake = {{"conf", component_conf(topology, c)},
                          {"context", task_context(topology, layout, c.id, first_task)},
                          {"pidDir", "/tmp"}};
        (void)handshake.dump(); // as shell_common writes it to the component
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) return 0;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        use(data[0] % 2 == 0 ? parse_flux_yaml(text, "fuzz.yaml") : parse_flux_json(text, "fuzz.json"));
    } catch (const topology_error&) {
    }
    return 0;
}
