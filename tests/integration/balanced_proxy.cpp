// The proxies: Kafka frames relayed with Metadata replies rewritten, Produce requests failed, Produce answers lost or
// refused; and a byte relay that can be cut.
#include "tests/integration/balanced_proxy.hpp"

#include "protocol/messages/metadata.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/versions.hpp"
#include "protocol/wire/api_key.hpp"
#include "protocol/wire/reader.hpp"
#include "protocol/wire/writer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace kspout::balanced::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// A partition index no topic has: the broker refuses the batch (UNKNOWN_TOPIC_OR_PARTITION)
// without writing it, and the answer is mapped back to the partition that was asked for.
constexpr std::int32_t missing_partition = 0x7fff0000;

struct request_info {
    std::int16_t key = -1;
    std::int16_t version = 0;
    std::map<std::int32_t, std::int32_t> redirected; // missing_partition + i -> the partition asked for
};

struct link {
    tcp::socket client;
    tcp::socket upstream;
    std::map<std::int32_t, request_info> in_flight; // correlation id -> what was asked

    explicit link(asio::any_io_executor ex) : client(ex), upstream(ex) {}

    void close()
    {
        boost::system::error_code ignored;
        client.close(ignored);
        upstream.close(ignored);
    }
};

std::uint16_t port_of(const std::string& address)
{
    auto colon = address.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("no port in " + address);
    return static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
}

asio::awaitable<std::optional<wire::byte_buffer>> read_frame(tcp::socket& from)
{
    std::uint8_t prefix[4];
    boost::system::error_code ec;
    co_await asio::async_read(from, asio::buffer(prefix), asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
        co_return std::nullopt;
    std::uint32_t size = (std::uint32_t(prefix[0]) << 24) | (std::uint32_t(prefix[1]) << 16) |
                         (std::uint32_t(prefix[2]) << 8) | std::uint32_t(prefix[3]);
    if (size > 64u * 1024 * 1024)
        co_return std::nullopt;
    wire::byte_buffer body(size);
    co_await asio::async_read(from, asio::buffer(body), asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
        co_return std::nullopt;
    co_return body;
}

asio::awaitable<bool> write_frame(tcp::socket& to, const wire::byte_buffer& body)
{
    wire::writer w;
    w.int32(static_cast<std::int32_t>(body.size()));
    w.raw(body);
    boost::system::error_code ec;
    co_await asio::async_write(to, asio::buffer(w.buffer()), asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

} // namespace

struct metadata_proxy::state : std::enable_shared_from_this<metadata_proxy::state> {
    asio::io_context& ioc;
    std::map<std::int32_t, std::uint16_t> upstream_ports;
    std::map<std::int32_t, std::unique_ptr<tcp::acceptor>> acceptors;
    std::map<std::int32_t, std::uint16_t> proxy_ports;
    std::map<std::string, int> visible;
    std::vector<std::weak_ptr<link>> links;
    int rewritten = 0;
    int produce_answers_to_lose = 0;
    int produce_answers_lost = 0;
    int produce_requests_to_fail = 0;
    std::optional<produce_refusal> refusal; // for every Produce answer while set
    bool closed = false;

    explicit state(asio::io_context& io) : ioc(io) {}

    wire::byte_buffer rewrite(const wire::byte_buffer& body, std::int16_t version)
    {
        wire::reader r(body);
        std::int32_t correlation = r.int32();
        const bool flexible = messages::is_flexible(wire::api_key::metadata, version);
        if (flexible)
            r.skip_tagged_fields(); // the response header's, from v9
        messages::metadata_response resp;
        if (!r.ok() || decode(r, resp, version))
            return body; // not ours to judge: pass it on as it came
        for (auto& b : resp.brokers) {
            if (auto it = proxy_ports.find(b.node_id); it != proxy_ports.end())
                b.port = it->second;
        }
        for (auto& t : resp.topics) {
            auto it = visible.find(t.name);
            if (it == visible.end() || it->second < 0)
                continue;
            int count = it->second;
            std::erase_if(t.partitions, [count](const messages::metadata_partition& p) {
                return p.partition_index >= count;
            });
        }
        ++rewritten;
        wire::writer w;
        w.int32(correlation);
        if (flexible)
            w.empty_tagged_fields();
        encode(w, resp, version);
        return w.take();
    }

    // The request with every partition index pointing at no partition. Produce requests are not
    // flexible at the versions we implement: the header ends with the client id.
    wire::byte_buffer redirect(const wire::byte_buffer& frame, request_info& info)
    {
        wire::reader r(frame);
        r.skip(8); // api key, version, correlation id
        r.nullable_string();
        const std::size_t header_size = frame.size() - r.rest().size();
        messages::produce_request req;
        if (!r.ok() || decode(r, req, info.version))
            return frame;
        std::int32_t next = missing_partition;
        for (auto& t : req.topics) {
            for (auto& p : t.partitions) {
                info.redirected[next] = p.partition_index;
                p.partition_index = next++;
            }
        }
        wire::writer w;
        w.raw(wire::bytes_view(frame).first(header_size));
        encode(w, req, info.version);
        return w.take();
    }

    // A Produce answer with `change` applied to each partition's part. Produce is not flexible at
    // the versions we implement: no tagged fields in its header.
    template <typename Change>
    static wire::byte_buffer rewrite_produce_answer(const wire::byte_buffer& body, std::int16_t version, Change change)
    {
        wire::reader r(body);
        std::int32_t correlation = r.int32();
        messages::produce_response resp;
        if (!r.ok() || decode(r, resp, version))
            return body;
        for (auto& t : resp.topics) {
            for (auto& p : t.partitions)
                change(p);
        }
        wire::writer w;
        w.int32(correlation);
        encode(w, resp, version);
        return w.take();
    }

    asio::awaitable<void> requests(std::shared_ptr<link> l)
    {
        auto self = shared_from_this();
        for (;;) {
            auto frame = co_await read_frame(l->client);
            if (!frame || frame->size() < 8)
                break;
            wire::reader r(*frame);
            request_info info;
            info.key = r.int16();
            info.version = r.int16();
            std::int32_t correlation = r.int32();
            if (info.key == static_cast<std::int16_t>(wire::api_key::produce) && produce_requests_to_fail > 0) {
                --produce_requests_to_fail;
                *frame = redirect(*frame, info);
            }
            l->in_flight[correlation] = std::move(info);
            if (!co_await write_frame(l->upstream, *frame))
                break;
        }
        l->close();
    }

    asio::awaitable<void> responses(std::shared_ptr<link> l)
    {
        auto self = shared_from_this();
        for (;;) {
            auto frame = co_await read_frame(l->upstream);
            if (!frame || frame->size() < 4)
                break;
            wire::reader r(*frame);
            std::int32_t correlation = r.int32();
            wire::byte_buffer out = std::move(*frame);
            if (auto it = l->in_flight.find(correlation); it != l->in_flight.end()) {
                const auto key = it->second.key;
                if (key == static_cast<std::int16_t>(wire::api_key::metadata))
                    out = rewrite(out, it->second.version);
                const auto& redirected = it->second.redirected;
                if (!redirected.empty()) {
                    out = rewrite_produce_answer(out, it->second.version, [&](auto& p) {
                        if (auto back = redirected.find(p.partition_index); back != redirected.end())
                            p.partition_index = back->second;
                    });
                }
                if (key == static_cast<std::int16_t>(wire::api_key::produce) && refusal) {
                    out = rewrite_produce_answer(out, it->second.version, [&](auto& p) {
                        p.error_code = refusal->error_code;
                        p.error_message = refusal->error_message;
                        p.base_offset = -1;
                    });
                }
                l->in_flight.erase(it);
                if (key == static_cast<std::int16_t>(wire::api_key::produce) && produce_answers_to_lose > 0) {
                    --produce_answers_to_lose;
                    ++produce_answers_lost;
                    break;
                }
            }
            if (!co_await write_frame(l->client, out))
                break;
        }
        l->close();
    }

    asio::awaitable<void> accept(std::int32_t broker)
    {
        auto self = shared_from_this();
        auto& acceptor = *acceptors.at(broker);
        for (;;) {
            auto l = std::make_shared<link>(ioc.get_executor());
            boost::system::error_code ec;
            co_await acceptor.async_accept(l->client, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || closed)
                co_return;
            tcp::endpoint up(asio::ip::make_address("127.0.0.1"), upstream_ports.at(broker));
            co_await l->upstream.async_connect(up, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || closed) {
                l->close();
                continue;
            }
            links.push_back(l);
            asio::co_spawn(ioc, requests(l), asio::detached);
            asio::co_spawn(ioc, responses(l), asio::detached);
        }
    }

    void close()
    {
        closed = true;
        for (auto& [id, a] : acceptors) {
            boost::system::error_code ignored;
            a->close(ignored);
        }
        for (auto& weak : links)
            if (auto l = weak.lock())
                l->close();
        links.clear();
    }
};

metadata_proxy::metadata_proxy(asio::io_context& ioc, std::map<std::int32_t, std::string> upstream)
    : state_(std::make_shared<state>(ioc))
{
    for (const auto& [id, address] : upstream) {
        state_->upstream_ports[id] = port_of(address);
        auto acceptor = std::make_unique<tcp::acceptor>(
            ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        state_->proxy_ports[id] = acceptor->local_endpoint().port();
        state_->acceptors[id] = std::move(acceptor);
    }
    for (const auto& [id, address] : upstream)
        asio::co_spawn(ioc, state_->accept(id), asio::detached);
}

metadata_proxy::~metadata_proxy()
{
    state_->close();
}

std::string metadata_proxy::bootstrap() const
{
    std::string out;
    for (const auto& [id, port] : state_->proxy_ports) {
        if (!out.empty())
            out += ',';
        out += "127.0.0.1:" + std::to_string(port);
    }
    return out;
}

void metadata_proxy::set_visible_partitions(const std::string& topic, int count)
{
    state_->visible[topic] = count;
}

int metadata_proxy::metadata_replies() const
{
    return state_->rewritten;
}

void metadata_proxy::lose_produce_answers(int count)
{
    state_->produce_answers_to_lose = count;
}

int metadata_proxy::lost_produce_answers() const
{
    return state_->produce_answers_lost;
}

void metadata_proxy::fail_produce_requests(int count)
{
    state_->produce_requests_to_fail = count;
}

void metadata_proxy::refuse_produce(std::optional<produce_refusal> refusal)
{
    state_->refusal = std::move(refusal);
}

struct cuttable_proxy::state : std::enable_shared_from_this<cuttable_proxy::state> {
    asio::io_context& ioc;
    tcp::acceptor acceptor;
    std::uint16_t upstream_port = 0;
    std::vector<std::weak_ptr<link>> links;
    bool is_cut = false;
    bool closed = false;

    state(asio::io_context& io, std::uint16_t upstream)
        : ioc(io), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), upstream_port(upstream)
    {
    }

    static asio::awaitable<void> pump(std::shared_ptr<link> l, tcp::socket& from, tcp::socket& to)
    {
        std::array<char, 16384> buffer;
        for (;;) {
            boost::system::error_code ec;
            std::size_t n = co_await from.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
            if (ec)
                break;
            co_await asio::async_write(to, asio::buffer(buffer.data(), n), asio::redirect_error(asio::use_awaitable, ec));
            if (ec)
                break;
        }
        l->close();
    }

    asio::awaitable<void> accept()
    {
        auto self = shared_from_this();
        for (;;) {
            auto l = std::make_shared<link>(ioc.get_executor());
            boost::system::error_code ec;
            co_await acceptor.async_accept(l->client, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || closed)
                co_return;
            if (is_cut) {
                l->close();
                continue;
            }
            tcp::endpoint up(asio::ip::make_address("127.0.0.1"), upstream_port);
            co_await l->upstream.async_connect(up, asio::redirect_error(asio::use_awaitable, ec));
            if (ec || closed || is_cut) {
                l->close();
                continue;
            }
            links.push_back(l);
            asio::co_spawn(ioc, pump(l, l->client, l->upstream), asio::detached);
            asio::co_spawn(ioc, pump(l, l->upstream, l->client), asio::detached);
        }
    }

    void close_links()
    {
        for (auto& weak : links)
            if (auto l = weak.lock())
                l->close();
        links.clear();
    }
};

cuttable_proxy::cuttable_proxy(asio::io_context& ioc, const std::string& upstream)
    : state_(std::make_shared<state>(ioc, port_of(upstream)))
{
    asio::co_spawn(ioc, state_->accept(), asio::detached);
}

cuttable_proxy::~cuttable_proxy()
{
    state_->closed = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    state_->close_links();
}

std::string cuttable_proxy::address() const
{
    return "127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
}

void cuttable_proxy::cut()
{
    state_->is_cut = true;
    state_->close_links();
}

void cuttable_proxy::restore()
{
    state_->is_cut = false;
}

} // namespace kspout::balanced::testing
