// Request header encoding, response header decoding and the size prefix check.
#include "protocol/wire/frame.hpp"

#include <algorithm>

namespace kspout::wire {

void encode(writer& w, const request_header& h)
{
    w.int16(static_cast<std::int16_t>(h.key));
    w.int16(h.version);
    w.int32(h.correlation_id);
    w.nullable_string(h.client_id); // a classic string even in header v2
    if (h.flexible) w.empty_tagged_fields();
}

std::size_t begin_request(writer& w, const request_header& h)
{
    std::size_t start = w.reserve_int32();
    encode(w, h);
    return start;
}

std::int32_t decode_response_header(reader& r, bool flexible)
{
    std::int32_t correlation_id = r.int32();
    if (flexible) r.skip_tagged_fields();
    return correlation_id;
}

std::size_t decode_frame_size(bytes_view prefix, std::size_t max_frame_size, std::error_code& ec)
{
    reader r(prefix.first(std::min<std::size_t>(prefix.size(), 4)));
    std::int32_t size = r.int32();
    if (!r.ok()) {
        ec = r.error();
        return 0;
    }
    if (size < 0) {
        ec = make_error_code(errc::bad_length);
        return 0;
    }
    if (static_cast<std::size_t>(size) > max_frame_size) {
        ec = make_error_code(errc::frame_too_large);
        return 0;
    }
    return static_cast<std::size_t>(size);
}

} // namespace kspout::wire
