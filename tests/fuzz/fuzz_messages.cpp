// libFuzzer: every Kafka response decoder at every version. Input: [api selector][version][body].
// A body that decodes must encode again and decode to the same struct, reading every byte.
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/sasl_authenticate.hpp"
#include "protocol/messages/sasl_handshake.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace kspout;
using namespace kspout::messages;

template <typename Response>
void check(wire::bytes_view body, std::int16_t version, version_range supported)
{
    wire::reader r(body);
    Response first;
    bool ok = !decode(r, first, version).has_value();
    if (!ok || !supported.contains(version)) return;
    // Decoders may leave trailing bytes (newer brokers append fields); the re-encoding may not.
    wire::writer w;
    encode(w, first, version);
    wire::reader again(w.view());
    Response second;
    if (decode(again, second, version) || !again.at_end() || !(second == first)) std::abort();
}

// Whatever a broker lists, negotiating against it must give versions inside both ranges.
void check_negotiation(const api_versions_response& response)
{
    version_table broker = broker_versions(response);
    negotiated_versions chosen = negotiate(implemented_versions(), broker);
    for (const auto& [key, version] : chosen.chosen) {
        auto ours = implemented_versions().find(key);
        auto theirs = broker.find(key);
        if (ours == implemented_versions().end() || theirs == broker.end()) std::abort();
        if (!ours->second.contains(version) || !theirs->second.contains(version)) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    wire::bytes_view body(data + 2, size - 2);
    // One version past each range, to reach the unsupported-version paths.
    auto version = [&](version_range range) { return static_cast<std::int16_t>(data[1] % (range.max + 2)); };
    switch (data[0] % 10) {
    case 0: {
        std::int16_t v = version(api_versions_versions);
        check<api_versions_response>(body, v, api_versions_versions);
        wire::reader r(body);
        api_versions_response response;
        if (!decode(r, response, v)) check_negotiation(response);
        break;
    }
    case 1: check<metadata_response>(body, version(metadata_versions), metadata_versions); break;
    case 2: check<produce_response>(body, version(produce_versions), produce_versions); break;
    case 3: check<fetch_response>(body, version(fetch_versions), fetch_versions); break;
    case 4: check<list_offsets_response>(body, version(list_offsets_versions), list_offsets_versions); break;
    case 5: check<offset_commit_response>(body, version(offset_commit_versions), offset_commit_versions); break;
    case 6: check<offset_fetch_response>(body, version(offset_fetch_versions), offset_fetch_versions); break;
    case 7:
        check<find_coordinator_response>(body, version(find_coordinator_versions), find_coordinator_versions);
        break;
    case 8: check<sasl_handshake_response>(body, version(sasl_handshake_versions), sasl_handshake_versions); break;
    case 9:
        check<sasl_authenticate_response>(body, version(sasl_authenticate_versions), sasl_authenticate_versions);
        break;
    }
    return 0;
}
