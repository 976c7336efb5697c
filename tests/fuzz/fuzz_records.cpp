// libFuzzer: read_records on arbitrary bytes, with and without CRC checks, must fail cleanly.
#include "protocol/records/records.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kspout::wire::bytes_view input(data, size);
    for (bool check_crcs : {true, false}) {
        kspout::records::read_options options;
        options.check_crcs = check_crcs;
        options.read_committed = size % 2 == 1;
        options.max_decompressed_bytes = 1 << 20;
        kspout::records::aborted_transaction aborted[] = {{1, 0}};
        kspout::records::record_set set;
        (void)kspout::records::read_records(input, 0, options, aborted, set, "fuzz", 0);
        for (const auto& r : set.records) {
            for (const auto& h : set.headers_of(r)) (void)h;
        }
    }
    return 0;
}
