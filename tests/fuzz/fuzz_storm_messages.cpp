// libFuzzer: one multilang message, chosen by the first byte: a Storm command (and its ack id),
// a handshake (and its context), or a component's message (which must survive a round trip).
#include "multilang/context.hpp"
#include "multilang/messages.hpp"
#include "spout/message_id.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace kspout;
using namespace kspout::multilang;

void storm_command(std::string_view text)
{
    parse_result parsed = parse_storm_message(text);
    if (parsed.message.has_value() == !parsed.error.empty()) std::abort();
    if (!parsed.message) return;
    if (const auto* command = std::get_if<spout_command>(&*parsed.message)) {
        std::string error;
        auto id = spout::parse_ack_id(command->id, error);
        if (id && spout::format_message_id(id->partition.topic, id->partition.partition, id->offset) !=
                      command->id.get_ref<const std::string&>()) {
            std::abort(); // the parser accepts only what format_message_id writes
        }
    }
}

void handshake_message(std::string_view text)
{
    std::string error;
    auto h = parse_handshake(text, error);
    if (h.has_value() == !error.empty()) std::abort();
    if (!h) return;
    std::string context_error;
    if (auto context = parse_context(h->context, context_error)) (void)context->task_index_and_count();
}

void component_output(std::string_view text)
{
    component_parse_result parsed = parse_component_message(text);
    if (parsed.message.has_value() == !parsed.error.empty()) std::abort();
    if (!parsed.message) return;
    // What the host read, written back as a component would, must read the same way again.
    std::string again = to_json_text(*parsed.message);
    component_parse_result reparsed = parse_component_message(again);
    if (!reparsed.message || reparsed.message->index() != parsed.message->index()) std::abort();
    if (to_json_text(*reparsed.message) != again) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) return 0;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 3) {
    case 0: storm_command(text); break;
    case 1: handshake_message(text); break;
    case 2: component_output(text); break;
    }
    return 0;
}
