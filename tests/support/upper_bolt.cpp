// A tiny bolt on bolt_session for host-side tests: uppercases field 0, emits anchored, acks; can misbehave.
#include "multilang/bolt_session.hpp"

#include <chrono>
#include <cstdio>
#include <thread>
#include <unistd.h>

using namespace kspout::multilang;

namespace {

// ASCII only, so UTF-8 multi-byte sequences pass through unchanged.
std::string upper(std::string text)
{
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return text;
}

} // namespace

int main()
{
    // "ack_twice", "fail_unknown", "anchor_after_ack", "stream", "bogus_command", "hang", "need_ids"
    std::string misbehave;

    bolt_session::handlers h;
    h.on_handshake = [&](const handshake& hs) -> std::optional<std::string> {
        misbehave = hs.conf.value("test.misbehave", std::string());
        return std::nullopt;
    };
    h.on_tuple = [&](const bolt_tuple& t, bolt_session& s) {
        if (misbehave == "hang") std::this_thread::sleep_for(std::chrono::minutes(1)); // heartbeats go unanswered
        if (t.is_tick()) return s.ack(t.id);
        if (t.values.empty() || !t.values[0].is_string()) {
            s.log("field 0 of tuple " + t.id + " is not a string", log_level::warn);
            return s.fail(t.id);
        }
        json out = json::array({upper(t.values[0].get<std::string>())});
        if (misbehave == "bogus_command") s.output()->send(R"({"command":"bogus"})");
        if (misbehave == "fail_unknown") s.fail("no-such-id");
        if (misbehave == "anchor_after_ack") s.ack(t.id);
        if (misbehave == "need_ids") {
            emit_message e;
            e.tuple = out;
            e.anchors = {t.id};
            e.need_task_ids = true;
            s.output()->send(to_json_text(e));
        } else {
            s.emit({t.id}, misbehave == "stream" ? "undeclared" : "", out);
        }
        if (misbehave != "anchor_after_ack") s.ack(t.id);
        if (misbehave == "ack_twice") s.ack(t.id);
    };
    return run_bolt(std::move(h), "upper_bolt");
}
