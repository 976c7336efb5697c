// A bolt on bolt_session for the local runner's tests: turns field 0 into a string and emits it
// anchored, or misbehaves as the component config "local.bolt.mode" asks.
#include "multilang/bolt_session.hpp"

#include <cstdio>
#include <unistd.h>

using namespace kspout::multilang;

int main()
{
    // "string" (default), "fail_odd", "never_ack", "unanchored", "undeclared_stream", "wrong_arity"
    std::string mode = "string";

    bolt_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        mode = hs.conf.value("local.bolt.mode", mode);
        return std::nullopt;
    };
    h.on_tuple = [&](const bolt_tuple& t, bolt_session& s) {
        if (mode == "never_ack") return;
        const json& v = t.values.empty() ? json() : t.values[0];
        if (mode == "fail_odd" && v.is_number_integer() && v.get<long>() % 2 != 0) return s.fail(t.id);
        json out = json::array({v.is_string() ? v.get<std::string>() : v.dump()});
        if (mode == "wrong_arity") out.push_back("extra");
        std::vector<std::string> anchors;
        if (mode != "unanchored") anchors.push_back(t.id);
        s.emit(anchors, mode == "undeclared_stream" ? "undeclared" : "", out);
        s.ack(t.id);
    };
    return run_bolt(std::move(h), "local_test_bolt");
}
