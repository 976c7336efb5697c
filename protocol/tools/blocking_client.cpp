// blocking_client: connect, framed request, framed response with correlation check.
#include "protocol/tools/blocking_client.hpp"

#include "protocol/messages/api_versions.hpp"
#include "protocol/wire/frame.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace kspout::tools {

std::pair<std::string, std::uint16_t> split_host_port(const std::string& endpoint)
{
    auto colon = endpoint.rfind(':');
    if (colon == std::string::npos) throw tool_error("expected host:port, got '" + endpoint + "'");
    std::uint16_t port = 0;
    const char* last = endpoint.data() + endpoint.size();
    auto [end, ec] = std::from_chars(endpoint.data() + colon + 1, last, port);
    if (ec != std::errc() || end != last || port == 0) throw tool_error("bad port in '" + endpoint + "'");
    return {endpoint.substr(0, colon), port};
}

blocking_client::blocking_client(const std::string& host, std::uint16_t port, std::string client_id)
    : endpoint_(host + ":" + std::to_string(port)), client_id_(std::move(client_id))
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
        throw tool_error(endpoint_ + ": " + gai_strerror(rc));
    }
    for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
        fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    freeaddrinfo(found);
    if (fd_ < 0) throw tool_error(endpoint_ + ": connect failed: " + std::strerror(errno));
}

blocking_client::~blocking_client()
{
    if (fd_ >= 0) ::close(fd_);
}

const messages::negotiated_versions& blocking_client::negotiate()
{
    messages::api_versions_request req;
    auto body = call(wire::api_key::api_versions, 0, [&](wire::writer& w) { encode(w, req, 0); });
    wire::reader r(body);
    messages::api_versions_response resp;
    if (auto err = decode(r, resp, 0)) throw tool_error(err->message());
    if (resp.error_code != 0) throw tool_error(endpoint_ + ": ApiVersions error " + std::to_string(resp.error_code));
    // ListOffsets v4+ only adds leader epochs this client does not use, and librdkafka 2.0.2's
    // mock broker writes them malformed: stay at v3.
    versions_ = messages::negotiate(messages::implemented_versions(), messages::broker_versions(resp),
                                    {{wire::api_key::list_offsets, 3}});
    return versions_;
}

std::int16_t blocking_client::version(wire::api_key key) const
{
    auto v = versions_.version(key);
    if (!v) throw tool_error(endpoint_ + ": no common version of " + std::string(wire::api_name(key)));
    return *v;
}

wire::byte_buffer blocking_client::call(wire::api_key key, std::int16_t version,
                                        const std::function<void(wire::writer&)>& encode_body)
{
    wire::writer w;
    std::int32_t correlation_id = next_correlation_id_++;
    std::size_t start = wire::begin_request(w, {key, version, correlation_id, client_id_});
    encode_body(w);
    wire::end_frame(w, start);
    send_all(w.view());

    std::uint8_t prefix[4];
    receive_exactly(prefix, sizeof prefix);
    std::error_code ec;
    std::size_t size = wire::decode_frame_size(prefix, wire::default_max_frame_size, ec);
    if (ec) throw tool_error(endpoint_ + ": bad response frame: " + ec.message());
    wire::byte_buffer frame(size);
    receive_exactly(frame.data(), frame.size());

    wire::reader r(frame);
    if (wire::decode_response_header(r) != correlation_id || !r.ok()) {
        throw tool_error(endpoint_ + ": response does not match request " + std::to_string(correlation_id));
    }
    return wire::byte_buffer(frame.begin() + static_cast<std::ptrdiff_t>(r.position()), frame.end());
}

void blocking_client::send_all(wire::bytes_view data)
{
    while (!data.empty()) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw tool_error(endpoint_ + ": send failed: " + std::strerror(errno));
        data = data.subspan(static_cast<std::size_t>(n));
    }
}

void blocking_client::receive_exactly(std::uint8_t* data, std::size_t n)
{
    while (n > 0) {
        ssize_t got = ::recv(fd_, data, n, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got == 0) throw tool_error(endpoint_ + ": connection closed by the broker");
        if (got < 0) throw tool_error(endpoint_ + ": receive failed: " + std::strerror(errno));
        data += got;
        n -= static_cast<std::size_t>(got);
    }
}

} // namespace kspout::tools
